package config

import (
	"strings"
	"syscall"
	"testing"
)

func TestStopSignalValues(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want syscall.Signal
	}{
		{"TERM", syscall.SIGTERM}, {"SIGQUIT", syscall.SIGQUIT}, {"sigint", syscall.SIGINT}, {"Winch", syscall.SIGWINCH},
		{"KILL", syscall.SIGKILL}, {"3", syscall.SIGQUIT}, {"RTMIN+3", 37}, {"SIGRTMIN", 34}, {"RTMAX-2", 62}, {"64", 64},
	} {
		res, _, err := parseIn(t, world{}, "--stop-signal", tc.in, "true")
		if err != nil || res.Config.StopSignal != tc.want {
			t.Errorf("--stop-signal %s: got %v, %v; want %v", tc.in, res.Config.StopSignal, err, tc.want)
		}
	}
}

func TestStopSignalRefused(t *testing.T) {
	for _, tc := range []struct {
		w    world
		args []string
		want string
	}{
		{world{}, []string{"--stop-signal", "STOP"}, `invalid value "STOP" for --stop-signal: SIGSTOP pauses a process`},
		{world{}, []string{"--stop-signal", "tstp"}, "SIGTSTP pauses a process"},
		{world{env: map[string]string{"SPARK2_STOP_SIGNAL": "SIGTTIN"}}, nil, "env var SPARK2_STOP_SIGNAL: SIGTTIN pauses"},
		{world{files: map[string]string{"spark2.json": `{"stop-signal": 22}`}}, nil, `key "stop-signal": SIGTTOU pauses`},
		{world{}, []string{"--stop-signal", "0"}, "want a signal name"},
		{world{}, []string{"--stop-signal", "65"}, "want a signal name"},
		{world{}, []string{"--stop-signal", "32"}, "want a signal name"},
		{world{}, []string{"--stop-signal", "TERMINATE"}, "want a signal name"},
		{world{}, []string{"--stop-signal", "RTMIN-1"}, "want a signal name"},
		{world{}, []string{"--stop-signal", "RTMAX+1"}, "want a signal name"},
		{world{}, []string{"--stop-signal", "SIG"}, "want a signal name"},
	} {
		_, _, err := parseIn(t, tc.w, append(tc.args, "true")...)
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%v %v: got %v, want one line with %q", tc.args, tc.w, err, tc.want)
		}
	}
}

// TestReadyAtOrAboveReadyTimeoutRefused: issue 10 item 12.
func TestReadyAtOrAboveReadyTimeoutRefused(t *testing.T) {
	for _, tc := range []struct {
		w    world
		args []string
		want string
	}{
		{world{env: map[string]string{"SPARK2_READY": "45s"}}, nil, "--ready (env var SPARK2_READY) 45s is not below the default of --ready-timeout 30s"},
		{world{}, []string{"--ready", "10s", "--ready-timeout", "10s"}, "--ready 10s is not below --ready-timeout 10s"},
		{world{files: map[string]string{"spark2.json": `{"ready": 5, "ready-timeout": 2}`}}, nil, "is not below --ready-timeout"},
	} {
		_, _, err := parseIn(t, tc.w, append(tc.args, "true")...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v %v: got %v, want %q", tc.args, tc.w, err, tc.want)
		}
	}
	for _, args := range [][]string{{"--ready", "29s"}, {"--ready", "notify", "--ready-timeout", "1s"}, {"--ready-timeout", "500ms"}} {
		if _, _, err := parseIn(t, world{}, append(args, "true")...); err != nil {
			t.Errorf("%v: %v", args, err)
		}
	}
}

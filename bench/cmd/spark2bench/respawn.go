package main

import (
	"fmt"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// stampSource is something that runs stamp workers in slots and respawns them:
// spark2 in some mode, or the benchmark's own minimal respawn loop.
type stampSource interface {
	nextStamp(timeout time.Duration) (stampLine, error)
	hostPid(inner int) int
	stop(timeout time.Duration) error
}

func respawnSection(s *settings, r *report) error {
	names := []string{}
	srcs := map[string]stampSource{}
	defer func() {
		for _, x := range srcs {
			x.stop(10 * time.Second)
		}
	}()
	cur := map[string]map[string]stampLine{}
	var lastStart int64
	for _, md := range append(append([]mode{}, s.modes...), "direct") {
		name := string(md)
		var src stampSource
		var err error
		if md == "direct" {
			src, err = startDirectLoop(s.self, s.slots)
		} else {
			src, err = startMaster(md, s.spark2, nil, "-n", strconv.Itoa(s.slots), "--stop-timeout", "2s", s.self, "stamp")
		}
		if err != nil {
			return err
		}
		names = append(names, name)
		srcs[name] = src
		cur[name] = map[string]stampLine{}
		for len(cur[name]) < s.slots {
			st, err := src.nextStamp(10 * time.Second)
			if err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			cur[name][st.slot] = st
			lastStart = max(lastStart, st.ns)
		}
	}
	wait := time.Until(time.Unix(0, lastStart).Add(s.healthy + time.Second))
	progress("   workers up; waiting %.1f s for a healthy uptime (> %v)", wait.Seconds(), s.healthy)
	time.Sleep(wait)
	lat := map[string][]float64{}
	for i := 0; i < s.slots; i++ {
		slot := strconv.Itoa(i)
		for _, name := range names {
			src := srcs[name]
			old := cur[name][slot]
			hp := src.hostPid(old.pid)
			if hp == 0 {
				return fmt.Errorf("%s: cannot find worker pid %d of slot %s", name, old.pid, slot)
			}
			uptime := time.Since(time.Unix(0, old.ns))
			t := time.Now().UnixNano()
			if err := syscall.Kill(hp, syscall.SIGKILL); err != nil {
				return fmt.Errorf("%s: kill %d: %w", name, hp, err)
			}
			st, err := src.nextStamp(10 * time.Second)
			if err != nil {
				return fmt.Errorf("%s: no respawn of slot %s: %w", name, slot, err)
			}
			if st.slot != slot {
				return fmt.Errorf("%s: killed slot %s, slot %s started", name, slot, st.slot)
			}
			if uptime < s.healthy {
				return fmt.Errorf("%s: slot %s killed after only %v", name, slot, uptime)
			}
			cur[name][slot] = st
			lat[name] = append(lat[name], float64(st.ns-t)/1e6)
			time.Sleep(20 * time.Millisecond)
		}
	}
	r.detail("### 4. Respawn latency after a healthy uptime\n\n")
	r.detail("`spark2 -n %d spark2bench stamp`; once every worker has run > %v (spark2's healthy uptime), each slot's worker gets one `kill -9`, one slot at a time, 20 ms apart; ", s.slots, s.healthy)
	r.detail("latency = the replacement's stamp − the time just before kill(2). %d samples per mode; the modes ran side by side. ", s.slots)
	r.detail("**direct** is the floor on this machine: a Go loop per slot that waits for its stamp worker and starts the same command again at once.\n\n")
	r.detail("| mode | median | min | max | samples (ms) |\n|---|---|---|---|---|\n")
	for _, name := range names {
		st := summarize(lat[name])
		fact("respawn_ms."+name, st.median)
		var xs []string
		for _, x := range lat[name] {
			xs = append(xs, fmt.Sprintf("%.2f", x))
		}
		r.detail("| %s | %.2f ms | %.2f ms | %.2f ms | %s |\n", name, st.median, st.min, st.max, strings.Join(xs, " "))
		if name == "direct" {
			r.row(fmt.Sprintf("Respawn floor: minimal Go wait+restart loop, same worker (median / max of %d)", st.n),
				fmt.Sprintf("%.2f ms / %.2f ms", st.median, st.max), "", nil)
		} else {
			r.row(fmt.Sprintf("Respawn latency after healthy uptime, %s (median / max of %d)", name, st.n),
				fmt.Sprintf("%.2f ms / %.2f ms", st.median, st.max), "≤ 10 ms", yes(st.max <= 10))
		}
	}
	r.detail("\n")
	return nil
}

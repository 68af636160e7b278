package config

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// cgroupDir writes files (relative name: content) into a fake cgroup root.
func cgroupDir(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for name, body := range files {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func TestAvailableCPUs(t *testing.T) {
	eight := func() (int, error) { return 8, nil }
	for _, tc := range []struct {
		name     string
		files    map[string]string
		affinity func() (int, error)
		want     int
	}{
		{"no cgroup files", nil, eight, 8},
		{"v2 unlimited", map[string]string{"cpu.max": "max 100000\n"}, eight, 8},
		{"v2 two CPUs", map[string]string{"cpu.max": "200000 100000\n"}, eight, 2},
		{"v2 1.5 CPUs rounds up", map[string]string{"cpu.max": "150000 100000\n"}, eight, 2},
		{"v2 a tenth of a CPU", map[string]string{"cpu.max": "10000 100000"}, eight, 1},
		{"v2 quota above affinity", map[string]string{"cpu.max": "1600000 100000"}, eight, 8},
		{"v2 garbage", map[string]string{"cpu.max": "lots"}, eight, 8},
		{"v1 cpu dir", map[string]string{"cpu/cpu.cfs_quota_us": "300000\n", "cpu/cpu.cfs_period_us": "100000\n"}, eight, 3},
		{"v1 cpu,cpuacct dir", map[string]string{"cpu,cpuacct/cpu.cfs_quota_us": "50000", "cpu,cpuacct/cpu.cfs_period_us": "100000"}, eight, 1},
		{"v1 unlimited", map[string]string{"cpu/cpu.cfs_quota_us": "-1", "cpu/cpu.cfs_period_us": "100000"}, eight, 8},
		{"v1 in root", map[string]string{"cpu.cfs_quota_us": "400000", "cpu.cfs_period_us": "100000"}, eight, 4},
		{"affinity lower than quota", map[string]string{"cpu.max": "400000 100000"}, func() (int, error) { return 2, nil }, 2},
		{"huge quota capped", map[string]string{"cpu.max": "900000000 100000"}, func() (int, error) { return 5000, nil }, maxWorkers},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := availableCPUs(cgroupDir(t, tc.files), tc.affinity); got != tc.want {
				t.Errorf("got %d, want %d", got, tc.want)
			}
		})
	}
}

func TestAvailableCPUsAffinityFails(t *testing.T) {
	failing := func() (int, error) { return 0, errors.New("no affinity") }
	if got := availableCPUs(t.TempDir(), failing); got != runtime.NumCPU() {
		t.Errorf("got %d, want runtime.NumCPU() = %d", got, runtime.NumCPU())
	}
	root := cgroupDir(t, map[string]string{"cpu.max": "100000 100000"})
	if got := availableCPUs(root, failing); got != 1 {
		t.Errorf("with a 1-CPU quota: got %d, want 1", got)
	}
}

func TestAutoWorkersFromFakeCgroup(t *testing.T) {
	root := cgroupDir(t, map[string]string{"cpu.max": "250000 100000"})
	m := machine{cpus: func() int { return availableCPUs(root, func() (int, error) { return 16, nil }) }}
	r, err := m.parse([]string{"-n", "auto"}, func(string) (string, bool) { return "", false }, t.TempDir(), nil)
	if err != nil || r.Config.Workers != 3 {
		t.Errorf("workers %d, err %v; want 3 (ceil of 2.5 CPUs)", r.Config.Workers, err)
	}
}

func TestSchedAffinity(t *testing.T) {
	n, err := schedAffinity()
	if err != nil || n < 1 || n > runtime.NumCPU() {
		t.Errorf("schedAffinity() = %d, %v; want 1..%d", n, err, runtime.NumCPU())
	}
}

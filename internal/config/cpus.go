package config

import (
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// machine is what Parse needs to know about the machine it runs on: the
// seam that tests replace with fakes. ("host" is -H/--host only.)
type machine struct {
	cpus func() int // CPUs available to this process, for --workers auto
}

// thisMachine is the real machine.
var thisMachine = machine{cpus: func() int { return availableCPUs(cgroupRoot, schedAffinity) }}

// cgroupRoot is where a container's cgroup filesystem is mounted.
const cgroupRoot = "/sys/fs/cgroup"

// availableCPUs returns how many CPUs this process may use: the CPUs of its
// scheduler affinity mask (runtime.NumCPU if affinity fails), lowered to the
// CPU quota of the cgroup under root rounded up, when the cgroup has one.
// It is at least 1.
func availableCPUs(root string, affinity func() (int, error)) int {
	n, err := affinity()
	if err != nil || n < 1 {
		n = runtime.NumCPU()
	}
	if quota, ok := cgroupCPUs(root); ok {
		n = min(n, quota)
	}
	return max(n, 1)
}

// schedAffinity counts the CPUs of this process's affinity mask.
func schedAffinity() (int, error) {
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &set); err != nil {
		return 0, err
	}
	return set.Count(), nil
}

// cgroupCPUs returns ceil(quota/period) of the cgroup under root, read from
// cgroup v2's cpu.max ("200000 100000", "max 100000") or else from cgroup v1's
// cpu.cfs_quota_us and cpu.cfs_period_us (quota -1: none), in root itself or
// its cpu or cpu,cpuacct directory. ok is false when there is no quota or
// it cannot be read.
func cgroupCPUs(root string) (n int, ok bool) {
	if b, err := os.ReadFile(filepath.Join(root, "cpu.max")); err == nil {
		quota, period, _ := strings.Cut(strings.TrimSpace(string(b)), " ")
		return ceilDiv(quota, period)
	}
	for _, dir := range []string{root, filepath.Join(root, "cpu"), filepath.Join(root, "cpu,cpuacct")} {
		quota, err1 := os.ReadFile(filepath.Join(dir, "cpu.cfs_quota_us"))
		period, err2 := os.ReadFile(filepath.Join(dir, "cpu.cfs_period_us"))
		if err1 == nil && err2 == nil {
			return ceilDiv(strings.TrimSpace(string(quota)), strings.TrimSpace(string(period)))
		}
	}
	return 0, false
}

// ceilDiv returns ceil(quota/period) for two positive integers given as
// text; ok is false for "max", -1 or anything else.
func ceilDiv(quota, period string) (int, bool) {
	q, err1 := strconv.ParseInt(quota, 10, 64)
	p, err2 := strconv.ParseInt(period, 10, 64)
	if err1 != nil || err2 != nil || q <= 0 || p <= 0 {
		return 0, false
	}
	n := q / p
	if q%p != 0 {
		n++
	}
	return int(min(n, maxWorkers)), true
}

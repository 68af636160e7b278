package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

func sizeSection(s *settings, r *report) error {
	fi, err := os.Stat(s.spark2)
	if err != nil {
		return err
	}
	n := fi.Size()
	fact("size_bytes", float64(n))
	r.row("Binary size, static + stripped (`-trimpath -ldflags \"-s -w\"`)",
		fmt.Sprintf("%.2f MiB (%d bytes)", float64(n)/(1<<20), n), "≤ 5 MB", yes(n <= 5_000_000))
	r.detail("### 1. Binary size\n\n`%s`: %d bytes = %.2f MB = %.2f MiB.\n\n", filepath.Base(s.spark2), n, float64(n)/1e6, float64(n)/(1<<20))
	if s.libFloor == "" {
		return nil
	}
	fi, err = os.Stat(s.libFloor)
	if err != nil {
		return err
	}
	fact("libfloor_size_bytes", float64(fi.Size()))
	r.detail("The four required libraries alone (`bench/libfloor`, built the same way): %d bytes = %.2f MB, so spark2's own work is %.2f MB of its binary.\n\n",
		fi.Size(), float64(fi.Size())/1e6, float64(n-fi.Size())/1e6)
	return nil
}

// ---- 2. RSS ----

// sampleMemory reads pid's memory as the RSS figures do: after 0.5 s of
// rest, n samples of VmRSS 250 ms apart, and VmHWM, RssAnon, RssFile and
// Threads at the last one.
func sampleMemory(pid, n int) (stats, map[string]int) {
	time.Sleep(500 * time.Millisecond)
	var rss []float64
	var st map[string]int
	for i := 0; i < n; i++ {
		if i > 0 {
			time.Sleep(250 * time.Millisecond)
		}
		st = statusKB(pid, "VmRSS", "VmHWM", "RssAnon", "RssFile", "Threads")
		rss = append(rss, float64(st["VmRSS"]))
	}
	return summarize(rss), st
}

func rssSection(s *settings, r *report) error {
	r.detail("### 2. Master memory, 4 idle workers (`spark2 -n 4 sleep 1000`)\n\n")
	r.detail("Read from `/proc/<spark2>/status` once all 4 workers run `sleep` (exec done), after 0.5 s of rest, %d samples 250 ms apart (VmRSS median/max); VmHWM, RssAnon, RssFile and Threads at the last sample.\n\n", s.rssSamples)
	r.detail("| mode | VmRSS median | VmRSS max | VmHWM | RssAnon | RssFile | threads |\n|---|---|---|---|---|---|---|\n")
	null := devNull()
	defer null.Close()
	var firstErr error
	for _, md := range s.modes {
		m, err := startMaster(md, s.spark2, null, "-n", "4", "sleep", "1000")
		if err != nil {
			return err
		}
		started := time.Now()
		err = func() error {
			deadline := time.Now().Add(10 * time.Second)
			for {
				n := 0
				for _, k := range children(m.pid) {
					if comm(k) == "sleep" {
						n++
					}
				}
				if n == 4 {
					break
				}
				if time.Now().After(deadline) {
					return fmt.Errorf("%s: 4 sleep workers not seen within 10 s; stderr:\n%s", md, tail(m.stderr.String()))
				}
				time.Sleep(5 * time.Millisecond)
			}
			sm, st := sampleMemory(m.pid, s.rssSamples)
			fact("rss_kb."+string(md), sm.median)
			fact("rssfile_kb."+string(md), float64(st["RssFile"]))
			fact("rssanon_kb."+string(md), float64(st["RssAnon"]))
			r.detail("| %s | %s | %s | %s | %s | %s | %d |\n", md, mib(int(sm.median)), mib(int(sm.max)), mib(st["VmHWM"]),
				mib(st["RssAnon"]), mib(st["RssFile"]), st["Threads"])
			r.row(fmt.Sprintf("Master RSS, 4 idle workers, %s (median of %d; VmHWM)", md, sm.n),
				fmt.Sprintf("%s (HWM %s)", mib(int(sm.median)), mib(st["VmHWM"])), "≤ 5 MB", yes(sm.median*1024 <= 5_000_000))
			if md != plain || s.rssSettle <= 0 {
				return nil
			}
			// The early figure is the heap before its first collections; an
			// idle master's heap grows to its goal and stays there.
			time.Sleep(time.Until(started.Add(s.rssSettle)))
			st = statusKB(m.pid, "VmRSS", "VmHWM", "RssAnon", "RssFile", "Threads")
			fact("rss_settled_kb."+string(md), float64(st["VmRSS"]))
			fact("rssanon_settled_kb."+string(md), float64(st["RssAnon"]))
			r.detail("| %s, %s after its start | %s | | %s | %s | %s | %d |\n", md, s.rssSettle, mib(st["VmRSS"]), mib(st["VmHWM"]),
				mib(st["RssAnon"]), mib(st["RssFile"]), st["Threads"])
			return nil
		}()
		if e := m.stop(10 * time.Second); e != nil && err == nil {
			err = e
		}
		if err != nil && firstErr == nil {
			firstErr = err
		}
	}
	if s.libFloor != "" {
		if err := libFloorRSS(s, r); err != nil && firstErr == nil {
			firstErr = err
		}
	}
	r.detail("\n")
	return firstErr
}

// libFloorRSS runs bench/libfloor idle, watching an empty directory as a
// master in development would, and reads its memory as rssSection reads
// spark2's: the floor of spark2's RSS, whatever spark2 itself does.
func libFloorRSS(s *settings, r *report) error {
	dir, err := os.MkdirTemp(s.tmp, "libfloor-")
	if err != nil {
		return err
	}
	var stderr lockedBuffer
	cmd := exec.Command(s.libFloor, "--watch", dir)
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return err
	}
	defer func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
	}()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(stderr.String(), "ready") {
		if time.Now().After(deadline) {
			return fmt.Errorf("bench/libfloor not ready within 10 s; stderr:\n%s", tail(stderr.String()))
		}
		time.Sleep(5 * time.Millisecond)
	}
	sm, st := sampleMemory(cmd.Process.Pid, s.rssSamples)
	fact("libfloor_rss_kb", sm.median)
	r.detail("| the four required libraries alone (`bench/libfloor --watch DIR`, no workers) | %s | %s | %s | %s | %s | %d |\n",
		mib(int(sm.median)), mib(int(sm.max)), mib(st["VmHWM"]), mib(st["RssAnon"]), mib(st["RssFile"]), st["Threads"])
	return nil
}

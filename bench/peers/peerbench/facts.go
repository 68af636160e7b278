package main

import (
	"encoding/json"
	"math"
	"os"
)

// writeFacts writes the PID 1 figures of this run (start-up and memory per
// init, reaping per init) as one JSON object of numbers, for the goal table
// of issue 12 that bench/run.sh prints ("spark2bench goals").
func writeFacts(s *settings, path string) error {
	out := map[string]float64{}
	put := func(k string, v float64) {
		if !math.IsNaN(v) {
			out[k] = v
		}
	}
	if st, ok := s.facts["startup"].(map[string][]startupResult); ok {
		for name, xs := range st {
			put("pid1_answer_ms."+name, summarize(lat(xs)).med)
			put("pid1_rss_kb."+name, summarize(kb(xs, func(x startupResult) int { return x.rss })).med)
			put("pid1_rssfile_kb."+name, summarize(kb(xs, func(x startupResult) int { return x.file })).med)
		}
	}
	if or, ok := s.facts["orphans"].(map[string][]orphanResult); ok {
		for name, xs := range or {
			var reap []float64
			for _, x := range xs {
				reap = append(reap, x.reap)
				put("orphans_n", float64(x.n))
			}
			put("orphans_ms."+name, summarize(reap).med)
		}
	}
	b, err := json.MarshalIndent(out, "", "\t")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

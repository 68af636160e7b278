package main

import (
	"encoding/json"
	"math"
	"os"
	"sync"
)

// facts are the run's key figures by name (ms, kB, bytes, ratios), for the
// goal table of issue 12 ("spark2bench goals"), which puts them beside the
// peers' figures of bench/peers/peerbench. "run -facts FILE" writes them as
// one JSON object.
var (
	factsMu sync.Mutex
	facts   = map[string]float64{}
)

// infinite stands for +Inf in the JSON, which cannot hold it (a max ÷ min
// where one worker got nothing).
const infinite = 1e12

func fact(name string, v float64) {
	factsMu.Lock()
	defer factsMu.Unlock()
	switch {
	case math.IsNaN(v):
		return // not measured
	case math.IsInf(v, 1):
		v = infinite
	}
	facts[name] = v
}

func writeFacts(path string) error {
	factsMu.Lock()
	defer factsMu.Unlock()
	b, err := json.MarshalIndent(facts, "", "\t")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

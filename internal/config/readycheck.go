package config

import "time"

// The options of readiness checked together.
const keyReadyTimeout = "ready-timeout"

// checkReady refuses a --ready delay at or above --ready-timeout: no worker
// that says nothing could be ready in time, and every start would fail, an
// endless crash loop. Only a --ready that some layer gave is checked: without
// one, node apps get notify (see Config.ReadyGiven).
func checkReady(t *table, o *options, won map[string]source) error {
	if !given(won, keyReady) || o.Ready.notify || o.Ready.delay < time.Duration(o.ReadyTimeout) {
		return nil
	}
	return usageErrorf("%s %s is not below %s %s: a worker would never be ready in time; lower --ready, or raise --ready-timeout above it",
		named(t, keyReady, won[keyReady]), o.Ready.delay, named(t, keyReadyTimeout, won[keyReadyTimeout]), time.Duration(o.ReadyTimeout))
}

package watch

import (
	"slices"
	"testing"
	"time"
)

func TestBurstMergesWhatASlowReceiverHasNotTaken(t *testing.T) {
	b := newBurst(time.Hour)
	if b.out(make(chan Change)) != nil || b.quiet() != nil {
		t.Fatal("an empty burst has nothing to send and no timer")
	}
	b.add("/src/b.js")
	b.add("/src/a.js")
	b.add("/src/b.js")
	if b.quiet() == nil {
		t.Fatal("pending paths must arm the timer")
	}
	b.flush()
	want := Change{Paths: []string{"/src/a.js", "/src/b.js"}, Count: 2}
	if !slices.Equal(b.change.Paths, want.Paths) || b.change.Count != 2 || b.quiet() != nil {
		t.Fatalf("after one flush: %+v, want %+v and no timer", b.change, want)
	}
	b.add("/src/c.js") // the receiver has not taken the first Change yet
	b.flush()
	if !slices.Equal(b.change.Paths, []string{"/src/a.js", "/src/b.js", "/src/c.js"}) || b.change.Count != 3 {
		t.Fatalf("after a second flush: %+v, want the two bursts merged", b.change)
	}
	b.sent()
	if b.out(make(chan Change)) != nil {
		t.Fatal("a sent Change must not be sent again")
	}
}

func TestBurstNeverWaitsLongerThanMaxWait(t *testing.T) {
	b := newBurst(time.Hour)
	if b.maxWait != 10*time.Hour {
		t.Fatalf("maxWait = %v, want 10 debounces", b.maxWait)
	}
	if b = newBurst(50 * time.Millisecond); b.maxWait != 2*time.Second {
		t.Fatalf("maxWait = %v, want the 2s floor", b.maxWait)
	}
	b.first = time.Now().Add(-time.Hour) // a stream that began long ago
	b.pending = map[string]struct{}{"/src/log.txt": {}}
	b.add("/src/log.txt")
	select {
	case <-b.quiet():
	case <-time.After(deadline):
		t.Fatal("a burst past maxWait must be due at once")
	}
}

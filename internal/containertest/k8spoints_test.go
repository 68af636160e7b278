package containertest

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// TestK8sImageIsPinned: the image has a tag that is not latest, in the
// Deployment and in kustomization.yaml's images (which wins), so that a
// node's cached image (imagePullPolicy IfNotPresent) is the one meant.
func TestK8sImageIsPinned(t *testing.T) {
	o := readK8s(t)
	semver := regexp.MustCompile(`^v?\d+\.\d+\.\d+$`)
	for _, c := range o.deployment.Spec.Template.Spec.Containers {
		name, tag, ok := strings.Cut(c.Image, ":")
		if !ok || !semver.MatchString(tag) {
			t.Errorf("container %s: image %q, want a pinned version tag such as :1.0.0", c.Name, c.Image)
		}
		found := false
		for _, im := range o.kustomization.Images {
			if im.Name != name {
				continue
			}
			found = true
			if im.Digest == "" && !semver.MatchString(im.NewTag) {
				t.Errorf("kustomization.yaml images: %s newTag %q, want a pinned version tag (or a digest)", name, im.NewTag)
			}
		}
		if !found {
			t.Errorf("kustomization.yaml images: nothing for %s, the image users replace with theirs", name)
		}
	}
}

// TestK8sNodeHeapFitsTheLimit: NODE_OPTIONS caps V8's old space so that
// SPARK2_WORKERS node workers fit the container's memory limit, each with
// 64 MiB for the rest of its memory; and the cap is not so small that the
// workers waste the limit (at least half their share).
func TestK8sNodeHeapFitsTheLimit(t *testing.T) {
	o := readK8s(t)
	c := o.deployment.Spec.Template.Spec.Containers[0]
	limit := c.Resources.Limits.Memory().Value() >> 20
	workers, err := strconv.Atoi(o.config.Data["SPARK2_WORKERS"])
	if err != nil || workers < 1 {
		t.Fatalf("SPARK2_WORKERS %q: want a number (the heap cap is sized from it)", o.config.Data["SPARK2_WORKERS"])
	}
	m := regexp.MustCompile(`(?:^|\s)--max-old-space-size=(\d+)(?:\s|$)`).FindStringSubmatch(o.config.Data["NODE_OPTIONS"])
	if m == nil {
		t.Fatalf("ConfigMap NODE_OPTIONS %q: want --max-old-space-size=MiB", o.config.Data["NODE_OPTIONS"])
	}
	heap, _ := strconv.ParseInt(m[1], 10, 64)
	share := limit / int64(workers)
	if heap+64 > share || heap < share/2 {
		t.Errorf("--max-old-space-size=%d with %d workers in %d MiB: want heap + 64 MiB within each worker's %d MiB, and at least half of it", heap, workers, limit, share)
	}
	t.Logf("%d workers x (%d MiB heap + 64) <= %d MiB", workers, heap, limit)
}

// TestK8sReplicasSpread: the pods spread over nodes (and zones), selected
// by the pod template's own labels, without blocking scheduling.
func TestK8sReplicasSpread(t *testing.T) {
	o := readK8s(t)
	pod := o.deployment.Spec.Template
	keys := map[string]bool{}
	for _, c := range pod.Spec.TopologySpreadConstraints {
		keys[c.TopologyKey] = true
		if c.MaxSkew != 1 || c.WhenUnsatisfiable != corev1.ScheduleAnyway {
			t.Errorf("spread over %s: maxSkew %d, %s; want 1 and ScheduleAnyway", c.TopologyKey, c.MaxSkew, c.WhenUnsatisfiable)
		}
		if c.LabelSelector == nil || len(c.LabelSelector.MatchLabels) == 0 {
			t.Errorf("spread over %s: no labelSelector", c.TopologyKey)
			continue
		}
		for k, v := range c.LabelSelector.MatchLabels {
			if pod.Labels[k] != v {
				t.Errorf("spread over %s selects %s=%s, which the pod template does not have", c.TopologyKey, k, v)
			}
		}
	}
	if !keys["kubernetes.io/hostname"] {
		t.Errorf("topologySpreadConstraints over %v: want kubernetes.io/hostname (nodes)", keys)
	}
}

// TestK8sPortInOnePlace: the port number is written once in k8s/ (the
// ConfigMap's SPARK2_PORT); kustomization.yaml copies it into the
// Deployment, which the Service targets by name. With kubectl on PATH,
// kubectl kustomize must give the same containerPort.
func TestK8sPortInOnePlace(t *testing.T) {
	o := readK8s(t) // with the replacements applied
	port := o.config.Data["SPARK2_PORT"]
	c := o.deployment.Spec.Template.Spec.Containers[0]
	if len(c.Ports) != 1 || strconv.Itoa(int(c.Ports[0].ContainerPort)) != port {
		t.Fatalf("containerPort %v after the replacements, want SPARK2_PORT %s", c.Ports, port)
	}
	if tp := o.service.Spec.Ports[0].TargetPort; tp.String() != c.Ports[0].Name {
		t.Errorf("the Service targets %q, want the container port's name %q (no second number)", tp.String(), c.Ports[0].Name)
	}
	manifests, _ := filepath.Glob(filepath.Join(repoRoot, "k8s", "*.yaml"))
	number := regexp.MustCompile(`\b` + regexp.QuoteMeta(port) + `\b`)
	var places []string
	for _, f := range manifests {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, l := range strings.Split(string(b), "\n") {
			if code, _, _ := strings.Cut(l, "#"); number.MatchString(code) {
				places = append(places, filepath.Base(f)+":"+strconv.Itoa(i+1))
			}
		}
	}
	if len(places) != 1 {
		t.Errorf("port %s is written in %d places of k8s/ %v, want one (the ConfigMap)", port, len(places), places)
	}
	kubectl, err := exec.LookPath("kubectl")
	if err != nil {
		t.Logf("no kubectl on PATH: kustomize's own build not compared")
		return
	}
	cmd := exec.Command(kubectl, "kustomize", filepath.Join(repoRoot, "k8s"))
	done := make(chan struct{})
	var out []byte
	go func() { out, err = cmd.CombinedOutput(); close(done) }()
	select {
	case <-done:
	case <-time.After(2 * time.Minute):
		cmd.Process.Kill()
		<-done
		t.Fatal("kubectl kustomize k8s/ took over 2 minutes")
	}
	if err != nil {
		t.Fatalf("kubectl kustomize k8s/: %v\n%s", err, out)
	}
	if !regexp.MustCompile(`(?m)^\s*- containerPort: ` + regexp.QuoteMeta(port) + `$`).Match(out) {
		t.Errorf("kubectl kustomize k8s/ gives no containerPort %s:\n%s", port, out)
	}
	if !strings.Contains(string(out), "image: spark2-example-hello:1.0.0") && !strings.Contains(string(out), ":"+o.kustomization.Images[0].NewTag) {
		t.Errorf("kubectl kustomize k8s/: the image is not at the pinned tag:\n%s", out)
	}
}

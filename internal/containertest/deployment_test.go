package containertest

import (
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// TestK8sDeploymentFitsSpark2 checks what the API types cannot: that the
// Deployment's probes, ports, times and security fit spark2 and each other.
func TestK8sDeploymentFitsSpark2(t *testing.T) {
	o := readK8s(t)
	env := o.config.Data
	pod := o.deployment.Spec.Template.Spec
	if len(pod.Containers) != 1 {
		t.Fatalf("%d containers, want 1", len(pod.Containers))
	}
	c := pod.Containers[0]
	if len(c.Command) == 0 || c.Command[0] != "/usr/local/bin/spark2" {
		t.Errorf("command %q: spark2 should be the entrypoint", c.Command)
	}
	if !slices.ContainsFunc(c.EnvFrom, func(e corev1.EnvFromSource) bool {
		return e.ConfigMapRef != nil && e.ConfigMapRef.Name == o.config.Name
	}) {
		t.Errorf("the container takes no env from ConfigMap %s", o.config.Name)
	}

	probes := []struct {
		name string
		p    *corev1.Probe
		want string
	}{{"startupProbe", c.StartupProbe, "ready"}, {"readinessProbe", c.ReadinessProbe, "ready"}, {"livenessProbe", c.LivenessProbe, "live"}}
	for _, pr := range probes {
		if pr.p == nil || pr.p.Exec == nil {
			t.Errorf("%s: want an exec probe", pr.name)
			continue
		}
		want := []string{"/usr/local/bin/spark2", "--probe", pr.want}
		if !slices.Equal(pr.p.Exec.Command, want) {
			t.Errorf("%s runs %q, want %q", pr.name, pr.p.Exec.Command, want)
		}
		if pr.p.TimeoutSeconds < 2 || pr.p.PeriodSeconds < 1 || pr.p.TimeoutSeconds > pr.p.PeriodSeconds {
			t.Errorf("%s: timeoutSeconds %d, periodSeconds %d: want a timeout of 2 s or more (the runtime's exec), within the period",
				pr.name, pr.p.TimeoutSeconds, pr.p.PeriodSeconds)
		}
	}
	if c.StartupProbe != nil && c.ReadinessProbe != nil {
		readyTimeout := duration(t, env, "SPARK2_READY_TIMEOUT", 30*time.Second)
		if budget := time.Duration(c.StartupProbe.PeriodSeconds*c.StartupProbe.FailureThreshold) * time.Second; budget < readyTimeout {
			t.Errorf("startupProbe gives up after %v, before SPARK2_READY_TIMEOUT (%v)", budget, readyTimeout)
		}
	}
	if c.LivenessProbe != nil {
		stale := duration(t, env, "SPARK2_STALE_AFTER", 5*time.Second)
		if budget := time.Duration(c.LivenessProbe.PeriodSeconds*c.LivenessProbe.FailureThreshold) * time.Second; budget <= stale {
			t.Errorf("livenessProbe restarts after %v, not above SPARK2_STALE_AFTER (%v)", budget, stale)
		}
	}

	// Shutdown: the preStop sleep, then spark2's graceful stop, within the grace period.
	if c.Lifecycle == nil || c.Lifecycle.PreStop == nil || c.Lifecycle.PreStop.Sleep == nil {
		t.Fatal("want a lifecycle.preStop.sleep (the image has no shell)")
	}
	sleep := time.Duration(c.Lifecycle.PreStop.Sleep.Seconds) * time.Second
	stop := duration(t, env, "SPARK2_STOP_TIMEOUT", 8*time.Second)
	if pod.TerminationGracePeriodSeconds == nil {
		t.Fatal("want terminationGracePeriodSeconds")
	}
	grace := time.Duration(*pod.TerminationGracePeriodSeconds) * time.Second
	if grace < sleep+stop+2*time.Second || grace > sleep+stop+30*time.Second {
		t.Errorf("terminationGracePeriodSeconds %v: want the preStop sleep (%v) + SPARK2_STOP_TIMEOUT (%v) + a few seconds", grace, sleep, stop)
	}

	// The port: spark2's, above 1024, the Service's target.
	if len(c.Ports) != 1 || env["SPARK2_PORT"] == "" || c.Ports[0].ContainerPort < 1024 ||
		env["SPARK2_PORT"] != strconv.Itoa(int(c.Ports[0].ContainerPort)) {
		t.Errorf("container ports %v and SPARK2_PORT %q: want one port >= 1024 that spark2 listens on", c.Ports, env["SPARK2_PORT"])
	} else if tp := o.service.Spec.Ports[0].TargetPort; tp.String() != c.Ports[0].Name && tp.IntValue() != int(c.Ports[0].ContainerPort) {
		t.Errorf("the Service targets port %s, not the container's %s", tp.String(), c.Ports[0].Name)
	}

	// Security: non-root, read-only root, no capability, RuntimeDefault seccomp.
	psc, sc := pod.SecurityContext, c.SecurityContext
	if psc == nil || sc == nil {
		t.Fatal("want a pod and a container securityContext")
	}
	if psc.RunAsNonRoot == nil || !*psc.RunAsNonRoot || psc.RunAsUser == nil || *psc.RunAsUser == 0 {
		t.Error("want runAsNonRoot and a non-zero runAsUser")
	}
	if psc.SeccompProfile == nil || psc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
		t.Error("want seccompProfile RuntimeDefault")
	}
	if sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem || sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation ||
		sc.Capabilities == nil || !slices.Equal(sc.Capabilities.Drop, []corev1.Capability{"ALL"}) {
		t.Error("want readOnlyRootFilesystem, no privilege escalation and capabilities drop [ALL]")
	}
	if env["SPARK2_USER"] != "" || env["SPARK2_GROUP"] != "" {
		t.Error("SPARK2_USER/SPARK2_GROUP: the pod already runs as runAsUser; spark2 cannot switch users without root")
	}

	// The status file lives on an emptyDir: the root filesystem is read-only.
	statusDir := filepath.Dir(env["SPARK2_STATUS_FILE"])
	if env["SPARK2_STATUS_FILE"] == "" || !emptyDirAt(pod, c, statusDir) {
		t.Errorf("SPARK2_STATUS_FILE %q: want a file in an emptyDir volume mount", env["SPARK2_STATUS_FILE"])
	}

	for _, r := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
		if _, ok := c.Resources.Requests[r]; !ok {
			t.Errorf("no %s request", r)
		}
		if _, ok := c.Resources.Limits[r]; !ok {
			t.Errorf("no %s limit", r)
		}
	}

	// Service, PDB and HPA point at the Deployment's pods.
	labels := o.deployment.Spec.Template.Labels
	for what, sel := range map[string]map[string]string{
		"Deployment":          o.deployment.Spec.Selector.MatchLabels,
		"Service":             o.service.Spec.Selector,
		"PodDisruptionBudget": o.pdb.Spec.Selector.MatchLabels,
	} {
		if len(sel) == 0 {
			t.Errorf("%s: empty selector", what)
		}
		for k, v := range sel {
			if labels[k] != v {
				t.Errorf("%s selects %s=%s, which the pod template lacks", what, k, v)
			}
		}
	}
	ref := o.hpa.Spec.ScaleTargetRef
	if ref.Kind != "Deployment" || ref.Name != o.deployment.Name || ref.APIVersion != "apps/v1" {
		t.Errorf("the HPA scales %v, not the Deployment %s", ref, o.deployment.Name)
	}
	if o.deployment.Spec.Replicas != nil {
		t.Error("the Deployment sets replicas, which the HPA owns: every apply would reset them")
	}
	if o.hpa.Spec.MinReplicas == nil || *o.hpa.Spec.MinReplicas < 2 {
		t.Error("want an HPA minReplicas of at least 2, for the PodDisruptionBudget to allow a drain")
	}
}

func emptyDirAt(pod corev1.PodSpec, c corev1.Container, dir string) bool {
	for _, m := range c.VolumeMounts {
		if m.MountPath != dir || m.ReadOnly {
			continue
		}
		for _, v := range pod.Volumes {
			if v.Name == m.Name && v.EmptyDir != nil {
				return true
			}
		}
	}
	return false
}

func duration(t *testing.T, env map[string]string, name string, def time.Duration) time.Duration {
	t.Helper()
	v, ok := env[name]
	if !ok {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		t.Fatalf("%s=%q: %v", name, v, err)
	}
	return d
}

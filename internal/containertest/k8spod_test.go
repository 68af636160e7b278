package containertest

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// TestK8sPodSettingsInDocker runs the example image the way k8s/ deploys
// it, as far as Docker can: the ConfigMap's env, the Deployment's command,
// working directory, user, read-only root filesystem, no capability, no
// privilege escalation, memory and CPU limits, and a tmpfs for each
// emptyDir. Then each of the Deployment's exec probes must pass in the
// container, and a stop must be graceful.
func TestK8sPodSettingsInDocker(t *testing.T) {
	im := buildImages(t)
	o := readK8s(t)
	pod := o.deployment.Spec.Template.Spec
	c := pod.Containers[0]
	sc := pod.SecurityContext
	opts := []string{
		"--read-only", "--cap-drop", "ALL", "--security-opt", "no-new-privileges",
		"--user", fmt.Sprintf("%d:%d", *sc.RunAsUser, *sc.RunAsGroup),
		"--workdir", c.WorkingDir, "--entrypoint", c.Command[0],
		"--memory", strconv.FormatInt(c.Resources.Limits.Memory().Value(), 10),
		"--cpus", c.Resources.Limits.Cpu().AsDec().String(),
	}
	for k, v := range o.config.Data {
		opts = append(opts, "-e", k+"="+v)
	}
	for _, m := range c.VolumeMounts {
		opts = append(opts, "--tmpfs", m.MountPath)
	}
	args := append(append([]string{}, c.Command[1:]...), c.Args...)
	ctr := runContainerPort(t, im.example, int(c.Ports[0].ContainerPort), opts, args...)
	ctr.waitServing(30 * time.Second)
	for name, p := range map[string]*corev1.Probe{"startupProbe": c.StartupProbe, "readinessProbe": c.ReadinessProbe, "livenessProbe": c.LivenessProbe} {
		argv := append([]string{"exec", ctr.name}, p.Exec.Command...)
		waitFor(t, 10*time.Second, name+" passes", func() (bool, string) {
			out, err := dockerOut(argv...)
			return err == nil, fmt.Sprintf("%v: %s", err, out)
		})
		start := time.Now()
		dockerOut(argv...)
		if took := time.Since(start); took > time.Duration(p.TimeoutSeconds)*time.Second/2 {
			t.Errorf("%s took %v with docker exec, more than half its timeoutSeconds (%d)", name, took, p.TimeoutSeconds)
		}
	}
	docker(t, "stop", "--time", strconv.Itoa(int(*pod.TerminationGracePeriodSeconds)), ctr.name)
	if code := ctr.inspect("{{.State.ExitCode}}"); code != "0" {
		t.Errorf("exit code %s after docker stop, want 0", code)
	}
	if logs := ctr.logs(); !strings.Contains(logs, `"stopped gracefully"`) {
		t.Errorf("no JSON line \"stopped gracefully\" (SPARK2_LOG_FORMAT=json) in the logs:\n%s", logs)
	}
}

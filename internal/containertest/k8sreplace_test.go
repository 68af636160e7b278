package containertest

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// containerPortPath is the one kind of target fieldPath applyReplacements
// knows: a named port of a named container of the Deployment.
var containerPortPath = regexp.MustCompile(`^spec\.template\.spec\.containers\.\[name=([^\]]+)\]\.ports\.\[name=([^\]]+)\]\.containerPort$`)

// applyReplacements does to the decoded objects what kustomize's
// replacements in kustomization.yaml do on kubectl apply -k, so that the
// tests see what the cluster gets. It knows one kind (a ConfigMap's data
// key copied into the Deployment's named container port); any other
// replacement fails the test, to be taught here.
func applyReplacements(t *testing.T, o k8sObjects) {
	t.Helper()
	for _, r := range o.kustomization.Replacements {
		key, ok := strings.CutPrefix(r.Source.FieldPath, "data.")
		if r.Source.Kind != "ConfigMap" || r.Source.Name != o.config.Name || !ok {
			t.Fatalf("kustomization.yaml: a replacement from %s %s %s, which these tests cannot apply", r.Source.Kind, r.Source.Name, r.Source.FieldPath)
		}
		value, ok := o.config.Data[key]
		if !ok {
			t.Fatalf("kustomization.yaml: replacement source %s is not in ConfigMap %s", r.Source.FieldPath, o.config.Name)
		}
		for _, target := range r.Targets {
			if target.Select.Kind != "Deployment" || target.Select.Name != o.deployment.Name {
				t.Fatalf("kustomization.yaml: a replacement into %s %s, which these tests cannot apply", target.Select.Kind, target.Select.Name)
			}
			for _, fp := range target.FieldPaths {
				m := containerPortPath.FindStringSubmatch(fp)
				if m == nil {
					t.Fatalf("kustomization.yaml: replacement target %q, which these tests cannot apply", fp)
				}
				port, err := strconv.Atoi(value)
				if err != nil {
					t.Fatalf("ConfigMap %s: %s=%q is not a port number", o.config.Name, key, value)
				}
				if !setContainerPort(o, m[1], m[2], int32(port)) {
					t.Fatalf("kustomization.yaml: replacement target %q names no port of the Deployment", fp)
				}
			}
		}
	}
}

func setContainerPort(o k8sObjects, container, port string, value int32) bool {
	cs := o.deployment.Spec.Template.Spec.Containers
	for i := range cs {
		if cs[i].Name != container {
			continue
		}
		for j := range cs[i].Ports {
			if cs[i].Ports[j].Name == port {
				cs[i].Ports[j].ContainerPort = value
				return true
			}
		}
	}
	return false
}

package containertest

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
)

// k8sObjects are the decoded k8s/ manifests, one of each kind.
type k8sObjects struct {
	kustomization *kustomization
	config        *corev1.ConfigMap
	deployment    *appsv1.Deployment
	service       *corev1.Service
	pdb           *policyv1.PodDisruptionBudget
	hpa           *autoscalingv2.HorizontalPodAutoscaler
	files         map[string]bool
}

func readK8s(t *testing.T) k8sObjects {
	t.Helper()
	ms, err := decodeManifests(filepath.Join(repoRoot, "k8s"))
	if err != nil {
		t.Fatal(err)
	}
	o := k8sObjects{files: map[string]bool{}}
	for _, m := range ms {
		o.files[m.file] = true
		dup := false
		switch v := m.obj.(type) {
		case *kustomization:
			dup, o.kustomization = o.kustomization != nil, v
		case *corev1.ConfigMap:
			dup, o.config = o.config != nil, v
		case *appsv1.Deployment:
			dup, o.deployment = o.deployment != nil, v
		case *corev1.Service:
			dup, o.service = o.service != nil, v
		case *policyv1.PodDisruptionBudget:
			dup, o.pdb = o.pdb != nil, v
		case *autoscalingv2.HorizontalPodAutoscaler:
			dup, o.hpa = o.hpa != nil, v
		}
		if dup {
			t.Fatalf("%s: a second %s; these tests expect one", m.file, m.kind)
		}
	}
	if o.kustomization == nil || o.config == nil || o.deployment == nil || o.service == nil || o.pdb == nil || o.hpa == nil {
		t.Fatalf("k8s/ needs a Kustomization, ConfigMap, Deployment, Service, PodDisruptionBudget and HorizontalPodAutoscaler; decoded %v", sortedKeys(o.files))
	}
	applyReplacements(t, o)
	return o
}

func TestK8sManifestsDecodeStrictly(t *testing.T) {
	o := readK8s(t)
	listed := map[string]bool{}
	for _, r := range o.kustomization.Resources {
		listed[r] = true
		if !o.files[r] {
			t.Errorf("kustomization.yaml lists %s, which is not a manifest of k8s/", r)
		}
	}
	for f := range o.files {
		if f != "kustomization.yaml" && !listed[f] {
			t.Errorf("k8s/%s is not in kustomization.yaml's resources", f)
		}
	}
}

func TestStrictDecodingRejectsMistakes(t *testing.T) {
	cases := map[string]string{
		"unknown field":  "apiVersion: v1\nkind: Service\nmetadata: {name: x}\nspec: {selektor: {a: b}}\n",
		"field case":     "apiVersion: v1\nkind: Service\nmetadata: {name: x}\nspec: {Selector: {a: b}}\n",
		"duplicate key":  "apiVersion: v1\nkind: Service\nmetadata: {name: x}\nspec: {type: ClusterIP, type: NodePort}\n",
		"wrong type":     "apiVersion: v1\nkind: Service\nmetadata: {name: x}\nspec: {ports: {port: 80}}\n",
		"unknown kind":   "apiVersion: v1\nkind: Servise\nmetadata: {name: x}\n",
		"wrong version":  "apiVersion: autoscaling/v1\nkind: HorizontalPodAutoscaler\nmetadata: {name: x}\n",
		"preStop typo":   "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec: {template: {spec: {containers: [{name: a, lifecycle: {preStop: {sleep: {second: 5}}}}]}}}\n",
		"kustomize typo": "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresource: [a.yaml]\n",
	}
	for name, doc := range cases {
		if _, err := decodeStrict(doc); err == nil {
			t.Errorf("%s: decoded without error:\n%s", name, doc)
		}
	}
	if _, err := decodeStrict("apiVersion: v1\nkind: Service\nmetadata: {name: x}\nspec: {selector: {a: b}}\n"); err != nil {
		t.Errorf("a valid Service: %v", err)
	}
}

// k8sUses returns the spark2 flags and SPARK2_* env vars the manifests use.
func k8sUses(o k8sObjects) []use {
	var uses []use
	for k := range o.config.Data {
		if strings.HasPrefix(k, "SPARK2_") { // NODE_OPTIONS is node's
			uses = append(uses, use{"k8s/configmap", k})
		}
	}
	for _, c := range o.deployment.Spec.Template.Spec.Containers {
		for _, e := range c.Env {
			if strings.HasPrefix(e.Name, "SPARK2_") {
				uses = append(uses, use{"k8s/deployment env", e.Name})
			}
		}
		argvs := [][]string{append(slices.Clone(c.Command), c.Args...)}
		for _, p := range []*corev1.Probe{c.StartupProbe, c.ReadinessProbe, c.LivenessProbe} {
			if p != nil && p.Exec != nil {
				argvs = append(argvs, p.Exec.Command)
			}
		}
		for _, argv := range argvs {
			if len(argv) == 0 || filepath.Base(argv[0]) != "spark2" {
				continue
			}
			for _, a := range argv[1:] {
				if strings.HasPrefix(a, "-") {
					name, _, _ := strings.Cut(a, "=")
					uses = append(uses, use{"k8s/deployment", name})
				}
			}
		}
	}
	return uses
}

// TestFlagsAndEnvVarsExist checks that each spark2 flag and SPARK2_* env
// var of k8s/, the Dockerfiles and docker-compose.yml (in their comments
// too) is in the --help of the spark2 built from this tree.
func TestFlagsAndEnvVarsExist(t *testing.T) {
	h := readHelp(t)
	main := parseDockerfile(t, filepath.Join(repoRoot, "Dockerfile"))
	example := parseDockerfile(t, filepath.Join(repoRoot, "examples", "node-image", "Dockerfile"))
	_, composeUses, composeVars := readCompose(t)

	notSpark2 := map[string]bool{} // build arguments and compose variables
	for _, name := range append(append(main.argNames(), example.argNames()...), composeVars...) {
		notSpark2[name] = true
	}
	uses := k8sUses(readK8s(t))
	uses = append(uses, composeUses...)
	for _, d := range []dockerfile{main, example} {
		u, _ := d.spark2Uses(t)
		uses = append(uses, u...)
	}
	files := []string{
		filepath.Join(repoRoot, "Dockerfile"),
		filepath.Join(repoRoot, "docker-compose.yml"),
		filepath.Join(repoRoot, "examples", "node-image", "Dockerfile"),
		filepath.Join(repoRoot, "examples", "node-image", "build.sh"),
	}
	manifests, _ := filepath.Glob(filepath.Join(repoRoot, "k8s", "*.yaml"))
	for _, f := range append(files, manifests...) {
		uses = append(uses, textUses(t, f, notSpark2)...)
	}
	checked := map[string]bool{}
	for _, u := range uses {
		known := h.envs[u.name]
		if strings.HasPrefix(u.name, "-") {
			known = h.flags[u.name]
		}
		if !known && !checked[u.name] {
			t.Errorf("%s uses %s, which spark2 --help does not list", u.file, u.name)
		}
		checked[u.name] = true
	}
	t.Logf("checked %d names: %s", len(checked), strings.Join(sortedKeys(checked), " "))
}

// TestSpark2AcceptsTheirValues runs each probe of the Deployment with the
// ConfigMap's env, and the images' probe with their env: spark2 must
// accept every value (exit 2 is an invalid option) and find no master
// (exit 3).
func TestSpark2AcceptsTheirValues(t *testing.T) {
	o := readK8s(t)
	c := o.deployment.Spec.Template.Spec.Containers[0]
	_, exampleEnv := parseDockerfile(t, filepath.Join(repoRoot, "examples", "node-image", "Dockerfile")).spark2Uses(t)
	compose, _, _ := readCompose(t)
	type run struct {
		what string
		env  map[string]string
		argv []string
	}
	var runs []run
	for name, p := range map[string]*corev1.Probe{"startupProbe": c.StartupProbe, "readinessProbe": c.ReadinessProbe, "livenessProbe": c.LivenessProbe} {
		if p != nil && p.Exec != nil {
			runs = append(runs, run{"k8s " + name, o.config.Data, p.Exec.Command})
		}
	}
	runs = append(runs, run{"example image HEALTHCHECK", exampleEnv, []string{"spark2", "--probe", "ready"}})
	for name, s := range compose.Services {
		runs = append(runs, run{"compose service " + name, s.Environment, append(slices.Clone(s.Command), "--probe", "ready")})
	}
	for _, r := range runs {
		cmd := exec.Command(spark2Bin, r.argv[1:]...)
		cmd.Dir = t.TempDir()
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "TMPDIR=" + t.TempDir()}
		for k, v := range r.env {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
		out, err := cmd.CombinedOutput()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != 3 {
			t.Errorf("%s: spark2 %s: %v, want exit 3 (not running)\n%s", r.what, strings.Join(r.argv[1:], " "), err, out)
		}
	}
}

// TestDockerfileTargetsAgree checks that the two targets of ./Dockerfile
// (prebuilt and the default) make the same image: both are FROM its
// "image" stage (FROM scratch, all the metadata) and add only the binary;
// and that the example image has the same HEALTHCHECK and ENTRYPOINT.
func TestDockerfileTargetsAgree(t *testing.T) {
	main := parseDockerfile(t, filepath.Join(repoRoot, "Dockerfile"))
	image, prebuilt, final := main.stage(t, "image"), main.stage(t, "prebuilt"), main.stage(t, "")
	if image[0].args != "scratch AS image" {
		t.Errorf("the image stage is FROM %q, want scratch", image[0].args)
	}
	for name, stage := range map[string][]instruction{"prebuilt": prebuilt, "default": final} {
		var adds []string
		for _, in := range stage[1:] {
			if in.cmd != "ARG" {
				f := strings.Fields(in.args)
				adds = append(adds, in.cmd+" -> "+f[len(f)-1])
			}
		}
		if !strings.HasPrefix(stage[0].args, "image") || !slices.Equal(adds, []string{"COPY -> /usr/local/bin/spark2"}) {
			t.Errorf("the %s stage is FROM %q and adds %q: want FROM image and only the binary", name, stage[0].args, adds)
		}
	}
	if main.stages[1][0].args != "scratch AS image" || main.stages[2][0].args != "image AS prebuilt" {
		t.Errorf("the first stages are %q, %q: image and prebuilt must come first, so that the classic builder reaches no FROM golang", main.stages[1][0].args, main.stages[2][0].args)
	}
	example := parseDockerfile(t, filepath.Join(repoRoot, "examples", "node-image", "Dockerfile"))
	for _, cmd := range []string{"HEALTHCHECK", "ENTRYPOINT"} {
		find := func(stage []instruction) string {
			for _, in := range stage {
				if in.cmd == cmd {
					return in.args
				}
			}
			return ""
		}
		if a, b := find(image), find(example.stage(t, "")); a != b || a == "" {
			t.Errorf("%s of the example image %q, of ./Dockerfile %q", cmd, b, a)
		}
	}
}

func TestComposeFileIsValid(t *testing.T) {
	requireTools(t, "docker-compose")
	out, err := command(nil, "docker-compose", "-f", filepath.Join(repoRoot, "docker-compose.yml"), "config", "-q")
	if err != nil {
		t.Fatalf("docker-compose config: %v\n%s", err, out)
	}
}

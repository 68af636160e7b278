package containertest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"sigs.k8s.io/yaml"
)

// apiTypes are the Kubernetes kinds k8s/ may hold, by "apiVersion kind".
var apiTypes = map[string]func() any{
	"v1 ConfigMap":                                  func() any { return &corev1.ConfigMap{} },
	"v1 Service":                                    func() any { return &corev1.Service{} },
	"apps/v1 Deployment":                            func() any { return &appsv1.Deployment{} },
	"policy/v1 PodDisruptionBudget":                 func() any { return &policyv1.PodDisruptionBudget{} },
	"autoscaling/v2 HorizontalPodAutoscaler":        func() any { return &autoscalingv2.HorizontalPodAutoscaler{} },
	"kustomize.config.k8s.io/v1beta1 Kustomization": func() any { return &kustomization{} },
}

// kustomization is the part of kustomize's Kustomization type that k8s/
// may use (kustomize's own module is not a dependency). A field k8s/ starts
// to use must be added here, from kustomize's API reference.
type kustomization struct {
	APIVersion string   `json:"apiVersion"`
	Kind       string   `json:"kind"`
	Namespace  string   `json:"namespace,omitempty"`
	NamePrefix string   `json:"namePrefix,omitempty"`
	Resources  []string `json:"resources,omitempty"`
	Labels     []struct {
		Pairs            map[string]string `json:"pairs,omitempty"`
		IncludeSelectors bool              `json:"includeSelectors,omitempty"`
		IncludeTemplates bool              `json:"includeTemplates,omitempty"`
	} `json:"labels,omitempty"`
	Images []struct {
		Name    string `json:"name"`
		NewName string `json:"newName,omitempty"`
		NewTag  string `json:"newTag,omitempty"`
		Digest  string `json:"digest,omitempty"`
	} `json:"images,omitempty"`
	Replacements []replacement `json:"replacements,omitempty"`
}

// replacement is one of kustomize's replacements: a field's value copied
// from one object into fields of others.
type replacement struct {
	Source struct {
		Kind      string `json:"kind"`
		Name      string `json:"name"`
		FieldPath string `json:"fieldPath"`
	} `json:"source"`
	Targets []struct {
		Select struct {
			Kind string `json:"kind"`
			Name string `json:"name"`
		} `json:"select"`
		FieldPaths []string `json:"fieldPaths"`
	} `json:"targets"`
}

// manifest is one decoded YAML document of k8s/.
type manifest struct {
	file string
	kind string // "apiVersion kind"
	obj  any    // a pointer to the API type
}

// decodeManifests decodes every document of every k8s/*.yaml file strictly:
// duplicate keys, unknown fields, fields in the wrong case and values the
// type would change are all errors.
func decodeManifests(dir string) ([]manifest, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil || len(files) == 0 {
		return nil, fmt.Errorf("no manifest in %s: %v", dir, err)
	}
	var out []manifest
	for _, file := range files {
		text, err := os.ReadFile(file)
		if err != nil {
			return nil, err
		}
		for i, doc := range splitDocuments(string(text)) {
			m, err := decodeStrict(doc)
			if err != nil {
				return nil, fmt.Errorf("%s, document %d: %w", filepath.Base(file), i+1, err)
			}
			m.file = filepath.Base(file)
			out = append(out, m)
		}
	}
	return out, nil
}

// splitDocuments splits a YAML stream at its "---" lines, dropping empty
// documents.
func splitDocuments(text string) []string {
	var docs []string
	for _, doc := range strings.Split("\n"+text, "\n---") {
		if strings.TrimSpace(stripComments(doc)) != "" {
			docs = append(docs, doc)
		}
	}
	return docs
}

func stripComments(doc string) string {
	var b strings.Builder
	for _, line := range strings.Split(doc, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(line), "#") {
			b.WriteString(line + "\n")
		}
	}
	return b.String()
}

func decodeStrict(doc string) (manifest, error) {
	js, err := yaml.YAMLToJSONStrict([]byte(doc))
	if err != nil {
		return manifest{}, err
	}
	var head struct{ APIVersion, Kind string }
	if err := json.Unmarshal(js, &head); err != nil {
		return manifest{}, err
	}
	kind := head.APIVersion + " " + head.Kind
	newObj, ok := apiTypes[kind]
	if !ok {
		return manifest{}, fmt.Errorf("unknown apiVersion and kind %q", kind)
	}
	obj := newObj()
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.DisallowUnknownFields()
	if err := dec.Decode(obj); err != nil {
		return manifest{}, fmt.Errorf("%s: %w", kind, err)
	}
	// encoding/json matches field names case-insensitively, and the API
	// server does not: every key and value of the document must come back
	// the same when the decoded object is encoded again.
	again, err := json.Marshal(obj)
	if err != nil {
		return manifest{}, err
	}
	var orig, round any
	json.Unmarshal(js, &orig)
	json.Unmarshal(again, &round)
	if path := notSubset(orig, round, ""); path != "" {
		return manifest{}, fmt.Errorf("%s: %s is not a field of the API type, or its value is not canonical", kind, path)
	}
	return manifest{kind: kind, obj: obj}, nil
}

// notSubset returns the path of the first value of a that b does not hold
// equally (b may have more keys), or "".
func notSubset(a, b any, path string) string {
	switch a := a.(type) {
	case map[string]any:
		bm, ok := b.(map[string]any)
		if !ok {
			return path
		}
		keys := make([]string, 0, len(a))
		for k := range a {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if p := notSubset(a[k], bm[k], path+"."+k); p != "" {
				return p
			}
		}
		return ""
	case []any:
		bs, ok := b.([]any)
		if !ok || len(bs) != len(a) {
			return path
		}
		for i := range a {
			if p := notSubset(a[i], bs[i], fmt.Sprintf("%s[%d]", path, i)); p != "" {
				return p
			}
		}
		return ""
	default:
		if !reflect.DeepEqual(a, b) {
			return path
		}
		return ""
	}
}

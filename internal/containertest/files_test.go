package containertest

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// help is what a spark2 build accepts, read from its --help.
type help struct {
	flags map[string]bool // "--workers", "-n", ...
	envs  map[string]bool // "SPARK2_WORKERS", ...
}

var (
	optionLine = regexp.MustCompile(`(?m)^  (-\S.*?)(?:\s{2,}|$)`)
	optionName = regexp.MustCompile(`(?:^|[\s,])(--?[A-Za-z][A-Za-z0-9-]*)`)
	envName    = regexp.MustCompile(`env: (SPARK2_[A-Z0-9_]+)`)
)

func readHelp(t *testing.T) help {
	t.Helper()
	out, err := exec.Command(spark2Bin, "--help").CombinedOutput()
	if err != nil {
		t.Fatalf("spark2 --help: %v\n%s", err, out)
	}
	h := help{flags: map[string]bool{}, envs: map[string]bool{}}
	for _, m := range optionLine.FindAllStringSubmatch(string(out), -1) {
		for _, f := range optionName.FindAllStringSubmatch(m[1], -1) {
			h.flags[f[1]] = true
		}
	}
	for _, m := range envName.FindAllStringSubmatch(string(out), -1) {
		h.envs[m[1]] = true
	}
	if !h.flags["--workers"] || !h.flags["-n"] || !h.envs["SPARK2_WORKERS"] {
		t.Fatalf("cannot read the options from spark2 --help:\n%s", out)
	}
	return h
}

// use is a spark2 flag or env var that a file uses.
type use struct{ file, name string }

// dockerfile is a parsed Dockerfile: its instructions by stage (stage 0
// holds what comes before the first FROM), continuation lines joined.
type dockerfile struct {
	path   string
	stages [][]instruction
}

type instruction struct{ cmd, args string }

func parseDockerfile(t *testing.T, path string) dockerfile {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	d := dockerfile{path: path, stages: [][]instruction{nil}}
	var cur string
	for _, line := range strings.Split(string(b), "\n") {
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		cur += " " + strings.TrimSuffix(trimmed, "\\")
		if strings.HasSuffix(trimmed, "\\") {
			continue
		}
		cmd, args, _ := strings.Cut(strings.TrimSpace(cur), " ")
		cur = ""
		in := instruction{strings.ToUpper(cmd), strings.Join(strings.Fields(args), " ")}
		if in.cmd == "FROM" {
			d.stages = append(d.stages, nil)
		}
		d.stages[len(d.stages)-1] = append(d.stages[len(d.stages)-1], in)
	}
	return d
}

// stage returns the instructions of the stage named name ("" for the last).
func (d dockerfile) stage(t *testing.T, name string) []instruction {
	t.Helper()
	if name == "" {
		return d.stages[len(d.stages)-1]
	}
	for _, s := range d.stages[1:] {
		if strings.HasSuffix(strings.ToUpper(s[0].args), " AS "+strings.ToUpper(name)) {
			return s
		}
	}
	t.Fatalf("%s: no stage %q", d.path, name)
	return nil
}

// argNames are the names of the build arguments (ARG) of d.
func (d dockerfile) argNames() []string {
	var names []string
	for _, s := range d.stages {
		for _, in := range s {
			if in.cmd == "ARG" {
				name, _, _ := strings.Cut(in.args, "=")
				names = append(names, name)
			}
		}
	}
	return names
}

// spark2Uses returns the SPARK2_* variables that d's ENV lines set and the
// flags its HEALTHCHECK, ENTRYPOINT and CMD give spark2, with the env.
func (d dockerfile) spark2Uses(t *testing.T) (uses []use, env map[string]string) {
	t.Helper()
	env = map[string]string{}
	file := filepath.Base(filepath.Dir(d.path)) + "/" + filepath.Base(d.path)
	for _, s := range d.stages {
		entrySpark2 := false
		for _, in := range s {
			switch in.cmd {
			case "ENV":
				for _, kv := range strings.Fields(in.args) {
					k, v, _ := strings.Cut(kv, "=")
					if strings.HasPrefix(k, "SPARK2_") {
						uses = append(uses, use{file, k})
						env[k] = v
					}
				}
			case "ENTRYPOINT", "CMD", "HEALTHCHECK":
				argv := jsonArray(t, in.args)
				isSpark2 := len(argv) > 0 && filepath.Base(argv[0]) == "spark2"
				if in.cmd == "ENTRYPOINT" {
					entrySpark2 = isSpark2
				}
				if isSpark2 {
					argv = argv[1:]
				} else if in.cmd != "CMD" || !entrySpark2 {
					continue
				}
				for _, a := range argv {
					if strings.HasPrefix(a, "-") {
						name, _, _ := strings.Cut(a, "=")
						uses = append(uses, use{file, name})
					}
				}
			}
		}
	}
	return uses, env
}

// jsonArray returns the exec-form array at the end of an instruction's
// arguments (after HEALTHCHECK's options and CMD).
func jsonArray(t *testing.T, args string) []string {
	t.Helper()
	i := strings.Index(args, "[")
	if i < 0 {
		t.Fatalf("not in exec form (a JSON array): %s", args)
	}
	var argv []string
	if err := json.Unmarshal([]byte(args[i:]), &argv); err != nil {
		t.Fatalf("%s: %v", args, err)
	}
	return argv
}

// composeFile is the part of docker-compose.yml these tests read.
type composeFile struct {
	Services map[string]struct {
		Image       string
		Command     []string
		Environment map[string]string
	}
}

var composeVar = regexp.MustCompile(`\$\{([A-Z0-9_]+)`)

func readCompose(t *testing.T) (composeFile, []use, []string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot, "docker-compose.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var c composeFile
	if err := yaml.Unmarshal(b, &c); err != nil {
		t.Fatalf("docker-compose.yml: %v", err)
	}
	var uses []use
	for _, s := range c.Services {
		for k := range s.Environment {
			if strings.HasPrefix(k, "SPARK2_") {
				uses = append(uses, use{"docker-compose.yml", k})
			}
		}
		for _, a := range s.Command {
			if strings.HasPrefix(a, "-") {
				name, _, _ := strings.Cut(a, "=")
				uses = append(uses, use{"docker-compose.yml", name})
			}
		}
	}
	var vars []string
	for _, m := range composeVar.FindAllStringSubmatch(string(b), -1) {
		vars = append(vars, m[1])
	}
	return c, uses, vars
}

var (
	spark2Var     = regexp.MustCompile(`\bSPARK2_[A-Z0-9_]*[A-Z0-9]\b`)
	spark2Command = regexp.MustCompile(`\bspark2((?:\s+--?[a-z][a-z0-9-]*)+)`)
)

// textUses returns the SPARK2_* names and the flags right after a word
// "spark2" anywhere in file, comments included, less the names in notSpark2
// (build arguments and compose variables, which are not spark2's).
func textUses(t *testing.T, file string, notSpark2 map[string]bool) []use {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	rel, _ := filepath.Rel(repoRoot, file)
	var uses []use
	for _, name := range spark2Var.FindAllString(string(b), -1) {
		if !notSpark2[name] {
			uses = append(uses, use{rel, name})
		}
	}
	for _, m := range spark2Command.FindAllStringSubmatch(string(b), -1) {
		for _, f := range strings.Fields(m[1]) {
			uses = append(uses, use{rel, f})
		}
	}
	return uses
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

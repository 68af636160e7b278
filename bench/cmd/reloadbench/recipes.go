package main

import (
	"os/exec"
	"path/filepath"
	"strings"
)

// recipe is one server as README.md's "Recipes" runs it under spark2, or
// gunicorn alone (hup).
type recipe struct {
	name    string
	dir     string   // the working directory
	args    []string // spark2's options and COMMAND after -n, or gunicorn's argv
	needs   string   // the program that must be installed
	hup     bool     // gunicorn's own reload: SIGHUP to gunicorn, no spark2
	display string   // the command line for the table
	missing string   // why it cannot run here; "" when it can
}

func recipes(s *settings) []recipe {
	dir := func(name string) string { return filepath.Join(s.root, "examples", "recipes", name) }
	nginx := []string{"--stop-signal", "QUIT", "--ready", "500ms", "--set", "NGINX=3;"}
	rs := []recipe{
		{name: "node app.js", dir: dir("node-app"), needs: "node"},
		{name: "node listen({fd: 3})", dir: dir("node-fd"), needs: "node", args: []string{"--ready", "fd", "node", "server.js"}},
		{name: "go net/http", dir: dir("go"), needs: s.gobin, args: []string{"--ready", "notify", s.gobin},
			display: "spark2 -n 2 --ready notify ./hello"},
		{name: "gunicorn", dir: dir("gunicorn"), needs: "gunicorn", args: []string{"--ready", "notify", "gunicorn", "app:app"}},
		{name: "uvicorn", dir: dir("uvicorn"), needs: s.python, args: []string{"--ready", "notify", s.python, "-m", "uvicorn", "--fd", "3", "--no-access-log", "app:app"},
			display: "spark2 -n 2 --ready notify python3 -m uvicorn --fd 3 --no-access-log app:app"},
		{name: "nginx", dir: dir("nginx"), needs: "nginx", args: append(nginx[:len(nginx):len(nginx)], "./run.sh")},
		{name: "nginx (keepalive_timeout 65)", dir: dir("nginx"), needs: "nginx", args: append(nginx[:len(nginx):len(nginx)], "--set", "NGINX_KEEPALIVE_TIMEOUT=65", "./run.sh")},
		{name: "gunicorn -w 2 (its own HUP)", dir: dir("gunicorn"), needs: "gunicorn", hup: true, args: []string{"gunicorn", "-w", "2", "app:app"},
			display: "gunicorn -w 2 -b 127.0.0.1:PORT app:app"},
	}
	for i := range rs {
		r := &rs[i]
		if r.display == "" {
			r.display = "spark2 -n 2 " + strings.ReplaceAll(strings.Join(r.args, " "), "NGINX=3;", "'NGINX=3;'")
		}
		if r.hup {
			r.display += "; kill -HUP"
		} else {
			r.display += "; kill -CONT"
		}
		switch {
		case r.needs == "":
			r.missing = "no -gobin"
		case exec.Command("sh", "-c", `command -v "$0"`, r.needs).Run() != nil:
			r.missing = r.needs + " is not installed"
		case r.name == "uvicorn" && exec.Command(s.python, "-c", "import uvicorn").Run() != nil:
			r.missing = s.python + " has no uvicorn"
		}
	}
	return rs
}

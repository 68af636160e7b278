module github.com/spark2/spark2

go 1.26.8

require (
	github.com/alexflint/go-arg v1.6.1
	github.com/coreos/go-systemd/v22 v22.7.0
	github.com/hashicorp/go-hclog v1.6.3
	github.com/mattn/go-isatty v0.0.14
	github.com/ramr/go-reaper v0.3.1
	golang.org/x/sys v0.50.0
)

require (
	github.com/alexflint/go-scalar v1.2.0 // indirect
	github.com/fatih/color v1.13.0 // indirect
	github.com/mattn/go-colorable v0.1.12 // indirect
)

// Package containertest tests spark2 the way its users meet it: in the
// repository's Dockerfile, docker-compose.yml and k8s/ manifests. It has no
// code of its own; its tests are the content.
//
// The manifest tests need no Docker: they decode every k8s/ manifest
// strictly against the Kubernetes API types and check that each spark2 flag
// and SPARK2_* env var that a manifest, a Dockerfile or the compose file
// uses exists in the --help of a freshly built spark2.
//
// The container tests build the images the offline way (no image can be
// pulled): spark2 from a host-built binary with ./Dockerfile's "prebuilt"
// target, the node base with examples/node-image/build.sh, and the example
// with examples/node-image/Dockerfile. They run them in the machine's Docker
// engine and talk to them over 127.0.0.1. Without a working "docker info"
// they fail when CI=true and skip otherwise. Every image, container and
// compose project they create has a name unique to the run and is removed at
// the end.
package containertest

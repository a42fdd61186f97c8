// Command daprd is Dapr's sidecar runtime, unchanged, with only the components that the
// todo-dapr chart renders and its tests load registered (see components.go).
//
// Each Dapr release has its own module file (go.1.16.mod, go.1.17.mod, go.1.18.mod). Dapr's
// cmd/daprd/components package, which cmd/daprd/app imports, holds zz_notag.go: it panics at
// start-up unless the allcomponents or stablecomponents tag is set, and those tags would compile
// in every component. tools/cluster/daprd.py therefore builds with the dapr module replaced by a
// copy in which that file only declares the package (Go refuses -overlay for files in the module
// cache); a plain `go build -modfile=go.1.18.mod .` compiles but the binary panics.
package main

import "github.com/dapr/dapr/cmd/daprd/app"

func main() {
	app.Run()
}

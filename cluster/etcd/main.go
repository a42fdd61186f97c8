// Command etcd runs the etcd server from the go.etcd.io/etcd/server/v3 module.
//
// It exists so the local test stack can build etcd from the Go module proxy
// instead of downloading a release archive. Flags are those of etcd itself.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}

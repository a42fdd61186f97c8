// Command kube-apiserver runs the Kubernetes API server from the k8s.io/kubernetes Go
// module, for the local test stack of todo-dapr. Its flags are the upstream ones.
//
// Release builds stamp the version into k8s.io/component-base/version with -ldflags -X;
// tools/cluster/apiserver.py passes the same flags (a plain `go build` reports
// v0.0.0-master, which Helm cannot parse as a Kubernetes version).
package main

import (
	"os"
	_ "time/tzdata" // CronJob time zones, as in the release binary

	"k8s.io/component-base/cli"
	_ "k8s.io/component-base/logs/json/register"          // --logging-format=json
	_ "k8s.io/component-base/metrics/prometheus/clientgo" // client-go metrics
	_ "k8s.io/component-base/metrics/prometheus/version"  // version metric
	"k8s.io/kubernetes/cmd/kube-apiserver/app"
)

func main() {
	os.Exit(cli.Run(app.NewAPIServerCommand()))
}

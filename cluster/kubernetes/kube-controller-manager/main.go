// Command kube-controller-manager runs the Kubernetes controller manager from the
// k8s.io/kubernetes Go module, for the local test stack of todo-dapr: it makes the default
// ServiceAccount and the kube-root-ca.crt ConfigMap of each namespace, finalizes deleted
// namespaces, collects garbage and aggregates ClusterRoles, as in a real cluster. Its flags
// are the upstream ones.
package main

import (
	"os"
	_ "time/tzdata" // CronJob time zones, as in the release binary

	"k8s.io/component-base/cli"
	_ "k8s.io/component-base/logs/json/register"          // --logging-format=json
	_ "k8s.io/component-base/metrics/prometheus/clientgo" // client-go metrics
	_ "k8s.io/component-base/metrics/prometheus/version"  // version metric
	"k8s.io/kubernetes/cmd/kube-controller-manager/app"
)

func main() {
	os.Exit(cli.Run(app.NewControllerManagerCommand()))
}

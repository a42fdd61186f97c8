package main

// The components this daprd knows, registered under the same names and versions as the
// release daprd registers them. Upstream's own registrations (cmd/daprd/components) are all
// behind the allcomponents/stablecomponents build tags, which this build does not set.

import (
	"github.com/dapr/components-contrib/bindings/cron"
	"github.com/dapr/components-contrib/bindings/localstorage"
	pubsubmemory "github.com/dapr/components-contrib/pubsub/in-memory"
	"github.com/dapr/components-contrib/pubsub/kafka"
	"github.com/dapr/components-contrib/secretstores/kubernetes"
	"github.com/dapr/components-contrib/secretstores/local/env"
	"github.com/dapr/components-contrib/secretstores/local/file"
	statememory "github.com/dapr/components-contrib/state/in-memory"
	postgresv1 "github.com/dapr/components-contrib/state/postgresql/v1"
	postgresv2 "github.com/dapr/components-contrib/state/postgresql/v2"
	"github.com/dapr/dapr/pkg/components"
	"github.com/dapr/dapr/pkg/components/bindings"
	"github.com/dapr/dapr/pkg/components/pubsub"
	"github.com/dapr/dapr/pkg/components/secretstores"
	"github.com/dapr/dapr/pkg/components/state"
)

// postgresVersions: v1 when a component names no version, v2 when it asks for it.
func postgresVersions() components.Versioning {
	return components.Versioning{
		Preferred: components.VersionConstructor{Version: "v2", Constructor: postgresv2.NewPostgreSQLStateStore},
		Others:    []components.VersionConstructor{{Version: "v1", Constructor: postgresv1.NewPostgreSQLStateStore}},
		Default:   "v1",
	}
}

func init() {
	// What the chart renders.
	pubsub.DefaultRegistry.RegisterComponent(kafka.NewKafka, "kafka")
	state.DefaultRegistry.RegisterComponentWithVersions("postgresql", postgresVersions())
	state.DefaultRegistry.RegisterComponentWithVersions("postgres", postgresVersions())
	secretstores.DefaultRegistry.RegisterComponent(kubernetes.NewKubernetesSecretStore, "kubernetes")
	bindings.DefaultRegistry.RegisterInputBinding(cron.NewCron, "cron")

	// Needing no other service: for tests that only check that a resource loads.
	state.DefaultRegistry.RegisterComponent(statememory.NewInMemoryStateStore, "in-memory")
	pubsub.DefaultRegistry.RegisterComponent(pubsubmemory.New, "in-memory")
	secretstores.DefaultRegistry.RegisterComponent(env.NewEnvSecretStore, "local.env")
	secretstores.DefaultRegistry.RegisterComponent(file.NewLocalSecretStore, "local.file")
	bindings.DefaultRegistry.RegisterOutputBinding(localstorage.NewLocalStorage, "localstorage")
}

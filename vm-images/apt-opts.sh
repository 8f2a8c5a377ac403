# Sourced by fetch-kernels.sh and fetch-source.sh: apt-get/apt-cache options that use the
# private apt state under $APTDIR (sources list, lists, status, package cache) instead of
# the system's, so sid and experimental are reachable without touching the machine's apt.
# shellcheck shell=bash
APT_OPTS=(
  -o "Dir::Etc::SourceList=$APTDIR/sources.list" -o Dir::Etc::SourceParts=/dev/null
  -o "Dir::State::Lists=$APTDIR/lists" -o "Dir::State::status=$APTDIR/status"
  -o "Dir::Cache=$APTDIR/cache"
  -o Acquire::Languages=none -o APT::Architecture=amd64 -o APT::Architectures::=amd64
  -o APT::Sandbox::User=root -o quiet=2
)

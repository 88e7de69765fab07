#!/usr/bin/env bash
# cluster_test.sh with the vxlan backend (its own names: skcv<pid>-N, 192.168.175.0/24,
# 10.247.0.0/16), so both run side by side.
CLUSTER_BACKEND=vxlan exec bash "$(dirname "$0")/cluster_test.sh"

#!/usr/bin/env bash
# The QEMU test bed (tests/vm/, see tests/README.md): boots the Debian kernel
# with NVMe, SATA and SCSI disks, runs the guest tests there and reports each
# as "ok - vm: NAME" / "not ok - vm: NAME".
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"
. "$here/../certlib.sh"
. "$here/../vm/host.sh"
vm_run
t_done

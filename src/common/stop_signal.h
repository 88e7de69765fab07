// For a command that runs in the foreground until SIGINT or SIGTERM (`skiff agent`, `proxy`,
// `dns`): one place that installs the handlers and answers "asked to stop?".
#pragma once

namespace skiff {
// Ignores SIGPIPE (a peer that hung up is an I/O error, not a reason to die) and records SIGINT
// and SIGTERM.
void install_stop_handlers();
// For a command whose main thread waits for the signal itself (`skiff server`, `scheduler`,
// `controller-manager`, `sim`): blocks SIGINT and SIGTERM in the calling thread, so threads
// started afterwards inherit the mask and only wait_stop_signal() takes them, and ignores
// SIGPIPE. Call before starting any thread.
void block_stop_signals();
// After block_stop_signals(): waits for SIGINT or SIGTERM and returns which.
int wait_stop_signal();
// True once SIGINT or SIGTERM has arrived.
bool stop_requested();
// Returns once SIGINT or SIGTERM has arrived (checks every 200 ms).
void wait_for_stop();
}  // namespace skiff

// For a command that runs in the foreground until SIGINT or SIGTERM (`skiff agent`, `proxy`,
// `dns`): one place that installs the handlers and answers "asked to stop?".
#pragma once

namespace skiff {
// Ignores SIGPIPE (a peer that hung up is an I/O error, not a reason to die) and records SIGINT
// and SIGTERM.
void install_stop_handlers();
// True once SIGINT or SIGTERM has arrived.
bool stop_requested();
// Returns once SIGINT or SIGTERM has arrived (checks every 200 ms).
void wait_for_stop();
}  // namespace skiff

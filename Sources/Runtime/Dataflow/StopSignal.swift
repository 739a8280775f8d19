import Foundation

/// SIGINT/SIGTERM as a request to end the input: the source stops reading, ends the stream, and
/// every later stage finishes and flushes its windows as at end of input — so an interrupted run
/// still publishes what it read. A second signal exits at once.
public enum StopSignal {
    nonisolated(unsafe) private static var requested: sig_atomic_t = 0

    public static var isRequested: Bool { requested != 0 }

    /// Installs the handlers without SA_RESTART, so a blocking read(2) returns EINTR and the source
    /// sees the request promptly.
    public static func install() {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { signal in
            if StopSignal.requested != 0 { _exit(128 + signal) }
            StopSignal.requested = 1
        }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        sigaction(SIGINT, &action, nil)
        sigaction(SIGTERM, &action, nil)
    }

    /// Children of `run --processes` exit if the supervisor dies (their parent changes), so no
    /// stage is orphaned; checked twice a second on a background thread.
    public static func exitWhenParentDies(parent: Int32) {
        let thread = Thread {
            while getppid() == parent { usleep(500_000) }
            _exit(143)
        }
        thread.name = "parent-watch"
        thread.start()
    }
}

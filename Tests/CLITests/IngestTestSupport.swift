import XCTest
import Foundation

/// A `geostream` child process whose output is collected in the background, so the test can talk
/// to it over sockets meanwhile. `stop()` (called from `defer`) kills it by PID if it still runs.
final class ChildProcess {
    let process = Process()
    private let output = Pipe(), errors = Pipe(), input = Pipe()
    private let group = DispatchGroup()
    private let collected = Collected()

    init(_ arguments: [String], stdin: Bool = false) throws {
        process.executableURL = IndexCommandTests.binary
        process.arguments = arguments
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = stdin ? input : FileHandle.nullDevice
        try process.run()
        for (pipe, isOutput) in [(output, true), (errors, false)] {
            let handle = pipe.fileHandleForReading
            let collected = self.collected
            DispatchQueue.global().async(group: group) {
                let data = handle.readDataToEndOfFile()
                collected.set(data, isOutput: isOutput)
            }
        }
    }

    func write(_ bytes: Data) { input.fileHandleForWriting.write(bytes) }
    func closeInput() { try? input.fileHandleForWriting.close() }

    /// Waits for exit (at most `timeout` seconds, then kills) and returns status, stdout, stderr.
    func finish(timeout: Double = 20) -> IndexCommandTests.Result {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        stop()
        process.waitUntilExit()
        _ = group.wait(timeout: .now() + 5)
        return IndexCommandTests.Result(status: process.terminationStatus,
                                        stdout: String(decoding: collected.output, as: UTF8.self),
                                        stderr: String(decoding: collected.errors, as: UTF8.self))
    }

    func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}

private final class Collected: @unchecked Sendable {
    private let lock = NSLock()
    private var storedOutput = Data(), storedErrors = Data()
    func set(_ data: Data, isOutput: Bool) { lock.withLock { if isOutput { storedOutput = data } else { storedErrors = data } } }
    var output: Data { lock.withLock { storedOutput } }
    var errors: Data { lock.withLock { storedErrors } }
}

/// Runs `geostream` to completion (killed after 20 s) with stdin empty.
func runGeostream(_ arguments: [String]) throws -> IndexCommandTests.Result {
    try ChildProcess(arguments).finish()
}

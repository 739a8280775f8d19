import Foundation

/// `geostream run --processes`: every stage as its own child process on this machine, linked over
/// tcp loopback on free ports, supervised.
///
/// The publisher starts first (it binds the result endpoints), then the workers, then the source,
/// which inherits stdin. The run ends when the source and the publisher have exited: the stream's
/// `end` travels through every worker, so workers have finished by then. A child that fails stops
/// the run: the others get SIGTERM (then SIGKILL after `graceSeconds`) and the error names the stage
/// and its exit status. SIGINT/SIGTERM to the supervisor goes to the source, which ends the stream,
/// so an interrupted run still publishes what it read. Restarting a failed stage from its last
/// checkpoint comes with checkpoints (issue 7).
public enum ProcessPipeline {
    public struct Options: Sendable {
        /// The `geostream` executable the children run.
        public var executable: String
        /// Input file for the source; nil: the source reads this process's stdin.
        public var inputPath: String?
        public var outPath: String?
        public var publishEndpoint: String?
        /// Extra arguments for the source (`--speed`, `--source-name`).
        public var sourceArguments: [String] = []
        /// Extra arguments for every stage (`--workers`).
        public var stageArguments: [String] = []
        public var graceSeconds = 5.0
        /// Where the wiring file goes; a temporary directory by default.
        public var workDirectory: String?

        public init(executable: String) { self.executable = executable }
    }

    struct Child {
        var stage: String
        var process: Process
    }

    /// Runs the pipeline at `pipelinePath` (already loaded as `spec`) and returns when it ends.
    public static func run(_ spec: PipelineSpec, pipelinePath: String, options: Options) throws {
        let directory = options.workDirectory ?? FileManager.default.temporaryDirectory
            .appendingPathComponent("geostream-\(spec.name)-\(getpid())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { if options.workDirectory == nil { try? FileManager.default.removeItem(atPath: directory) } }
        let wiring = try Wiring.freeLoopbackPorts(spec, publish: options.publishEndpoint)
        let wiringPath = (directory as NSString).appendingPathComponent("wiring.json")
        try wiring.write(to: wiringPath)

        let common = ["--pipeline", pipelinePath, "--wiring", wiringPath, "--supervised", String(getpid())] + options.stageArguments
        var children: [Child] = []
        func launch(_ stage: String, _ arguments: [String], stdin: Bool = false) throws {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: options.executable)
            process.arguments = ["stage", stage] + common + arguments
            if !stdin { process.standardInput = FileHandle.nullDevice }
            do {
                try process.run()
            } catch {
                stopAll(children, grace: options.graceSeconds)
                throw RuntimeError("cannot start stage \(stage) (\(options.executable)): \(error)")
            }
            children.append(Child(stage: stage, process: process))
        }

        try launch(StageRunner.publisherName, options.outPath.map { ["--out", $0] } ?? [])
        for stage in spec.stages {
            for partition in 0..<stage.partition.workers {
                try launch(stage.name, ["--partition", String(partition)])
            }
        }
        try launch(StageRunner.sourceName, options.sourceArguments + (options.inputPath.map { [$0] } ?? []), stdin: options.inputPath == nil)
        let source = children.last!.process
        let publisher = children.first!.process

        // Wait: forward a stop request to the source once; fail fast when any child fails.
        var forwarded = false
        while publisher.isRunning || source.isRunning {
            if StopSignal.isRequested && !forwarded {
                forwarded = true
                if source.isRunning { kill(source.processIdentifier, SIGTERM) }
            }
            if let failed = children.first(where: { !$0.process.isRunning && !exitedCleanly($0.process) }) {
                stopAll(children, grace: options.graceSeconds)
                if failed.stage == StageRunner.sourceName && failed.process.terminationStatus == 65 {
                    throw StageExitError(stage: failed.stage, status: 65, message: "stage source stopped at a rejected record (input.strict)")
                }
                throw StageExitError(stage: failed.stage, status: failed.process.terminationStatus,
                                     message: "stage \(failed.stage) \(describe(failed.process)); the other stages were stopped")
            }
            usleep(20_000)
        }
        // Workers end right after forwarding `end`; give them the grace period, then stop them.
        let deadline = Date().addingTimeInterval(options.graceSeconds)
        while children.contains(where: { $0.process.isRunning }) && Date() < deadline { usleep(20_000) }
        stopAll(children, grace: options.graceSeconds)
        if let failed = children.first(where: { !exitedCleanly($0.process) }) {
            throw StageExitError(stage: failed.stage, status: failed.process.terminationStatus, message: "stage \(failed.stage) \(describe(failed.process))")
        }
    }

    static func exitedCleanly(_ process: Process) -> Bool {
        process.terminationReason == .exit && process.terminationStatus == 0
    }

    static func describe(_ process: Process) -> String {
        process.terminationReason == .uncaughtSignal
            ? "was killed by signal \(process.terminationStatus)"
            : "exited with status \(process.terminationStatus)"
    }

    /// SIGTERM to every child still running, SIGKILL to any still running after `grace` seconds.
    static func stopAll(_ children: [Child], grace: Double) {
        for child in children where child.process.isRunning { kill(child.process.processIdentifier, SIGTERM) }
        let deadline = Date().addingTimeInterval(grace)
        while children.contains(where: { $0.process.isRunning }) && Date() < deadline { usleep(20_000) }
        for child in children where child.process.isRunning {
            kill(child.process.processIdentifier, SIGKILL)
            child.process.waitUntilExit()
        }
    }
}

/// A supervised stage exited badly.
public struct StageExitError: Error, CustomStringConvertible {
    public var stage: String
    public var status: Int32
    public var message: String
    public var description: String { message }
}

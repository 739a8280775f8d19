import Foundation
import Transport

/// Runs one stage of a pipeline in this process, for `geostream stage` (multi-process and
/// multi-host mode): the same classes the embedded mode runs on threads.
public enum StageRunner {
    /// The stage names besides the pipeline's own: the source (reads input) and the publisher.
    public static let sourceName = "source"
    public static let publisherName = "publisher"

    public struct Options: Sendable {
        public var source = SourceOptions()
        public var outPath: String?
        public var statsInterval = 1.0
        /// source: read from producers PUSHing to this endpoint instead of the descriptor.
        public var inputEndpoint: String?
        public init() {}
    }

    /// The names `geostream stage` accepts for this pipeline, with partitions.
    public static func stageNames(_ spec: PipelineSpec) -> [String] {
        [sourceName] + spec.stages.map(\.name) + [publisherName]
    }

    /// Runs the named stage until its stream ends. `descriptor` is the source's input.
    public static func run(
        _ spec: PipelineSpec, stage name: String, partition: Int, wiring: Wiring, descriptor: Int32 = 0,
        options: Options = Options()
    ) throws -> RunSummary {
        let context = try MessagingContext(ioThreads: 1)
        defer { context.terminate() }
        var summary = RunSummary()
        let started = monotonicNanoseconds()
        switch name {
        case sourceName:
            var sourceOptions = options.source
            sourceOptions.statsInterval = options.statsInterval
            let source = try PipelineSource(spec: spec, wiring: wiring, context: context, options: sourceOptions)
            defer { source.close() }
            if let endpoint = options.inputEndpoint {
                summary.source = try source.run(endpoint: endpoint, context: context)
            } else {
                summary.source = try source.run(descriptor: descriptor)
            }
        case publisherName:
            let publisher = try Publisher(spec: spec, wiring: wiring, context: context, outPath: options.outPath, statsInterval: options.statsInterval)
            defer { publisher.close() }
            // Live queries are answered in the publisher's process, on their own thread.
            let gatewayStop = StopFlag()
            var gatewayThread: StageThread?
            if wiring.query != nil {
                let gateway = UncheckedBox(try QueryGateway(spec: spec, wiring: wiring, context: context))
                let thread = StageThread(name: "query-gateway") {
                    defer { gateway.value.close() }
                    try gateway.value.run(until: gatewayStop)
                }
                thread.start()
                gatewayThread = thread
            }
            let published = Result { try publisher.run() }
            gatewayStop.raise()
            gatewayThread?.join()
            try published.get()
            summary.publisher = publisher.counters
            if let failure = gatewayThread?.failure { throw failure }
        default:
            guard let stageIndex = spec.stages.firstIndex(where: { $0.name == name }) else {
                throw RuntimeError("no stage '\(name)' in pipeline \(spec.name); stages: \(stageNames(spec).joined(separator: ", "))")
            }
            let workers = spec.stages[stageIndex].partition.workers
            guard (0..<workers).contains(partition) else {
                throw RuntimeError("stage \(name) has \(workers) worker(s): --partition must be 0...\(workers - 1), got \(partition)")
            }
            let worker = try PipelineWorker(spec: spec, stage: stageIndex, partition: partition, wiring: wiring, context: context,
                                            compression: options.source.compression, statsInterval: options.statsInterval)
            defer { worker.close() }
            try worker.run()
            summary.workers["\(name)-\(partition)"] = worker.counters
        }
        summary.elapsedSeconds = Double(monotonicNanoseconds() &- started) / 1e9
        return summary
    }
}

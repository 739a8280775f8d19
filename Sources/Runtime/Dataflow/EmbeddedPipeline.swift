import Foundation
import Transport

/// The end-of-run summary of a pipeline run (both modes).
public struct RunSummary: Sendable {
    public var source = SourceCounters()
    public var workers: [String: WorkerCounters] = [:]
    public var publisher = PublisherCounters()
    public var elapsedSeconds = 0.0
    public init() {}
}

/// Runs every stage of a pipeline in this process: the source on the calling thread, each worker
/// and the publisher on its own thread, linked by `inproc://` sockets. The same stage classes
/// run as separate processes in `--processes` mode, so both modes give the same results.
public enum EmbeddedPipeline {
    public struct Options: Sendable {
        public var source = SourceOptions()
        /// Also write every result to this NDJSON file.
        public var outPath: String?
        /// Publish here instead of `output.endpoint`.
        public var publishEndpoint: String?
        public var statsInterval = 1.0
        /// Read from producers PUSHing to this endpoint instead of the descriptor.
        public var inputEndpoint: String?
        /// Called on the publisher thread for every message published.
        /// The line is valid only during the call (no String is built unless the callee makes one).
        public var onPublish: (@Sendable (_ topic: String, _ t: Int64, _ line: UnsafeRawBufferPointer) -> Void)?
        public init() {}
    }

    public static func run(_ spec: PipelineSpec, descriptor: Int32, options: Options = Options()) throws -> RunSummary {
        let started = monotonicNanoseconds()
        let context = try MessagingContext(ioThreads: 1)
        defer { context.terminate() }
        var wiring = Wiring.embedded(spec, instance: String(UInt32.random(in: 0...UInt32.max), radix: 36))
        if let publish = options.publishEndpoint { wiring.publish = publish }

        let results = StageResults()
        // A stage that fails shuts the context down, so every other stage blocked on a socket
        // (the source on a full worker, say) wakes with an error instead of waiting forever.
        let contextBox = UncheckedBox(context)
        let stopEverything: @Sendable (any Error) -> Void = { error in
            results.setFailure(error)
            contextBox.value.shutdown()
        }
        // The publisher binds first so a bind failure (port taken) is reported before any work.
        let publisher = try Publisher(spec: spec, wiring: wiring, context: context, outPath: options.outPath, statsInterval: options.statsInterval)
        publisher.onPublish = options.onPublish
        let publisherBox = UncheckedBox(publisher)
        var threads: [StageThread] = []
        threads.append(StageThread(name: "publisher", onFailure: stopEverything) {
            defer { publisherBox.value.close() }
            try publisherBox.value.run()
            results.setPublisher(publisherBox.value.counters)
        })
        // The query gateway binds before any worker connects to it, and lives on its own thread so
        // a slow query never holds up the publisher; it stops after every stage has ended.
        let gatewayStop = StopFlag()
        var gatewayThread: StageThread?
        if wiring.query != nil {
            let gateway = UncheckedBox(try QueryGateway(spec: spec, wiring: wiring, context: context))
            gatewayThread = StageThread(name: "query-gateway", onFailure: stopEverything) {
                defer { gateway.value.close() }
                try gateway.value.run(until: gatewayStop)
            }
        }
        var workers: [UncheckedBox<PipelineWorker>] = []
        for (stageIndex, stage) in spec.stages.enumerated() {
            for partition in 0..<stage.partition.workers {
                let worker = try PipelineWorker(
                    spec: spec, stage: stageIndex, partition: partition, wiring: wiring, context: context,
                    compression: options.source.compression, statsInterval: options.statsInterval
                )
                workers.append(UncheckedBox(worker))
            }
        }
        for box in workers {
            threads.append(StageThread(name: "\(box.value.stageName)-\(box.value.partition)", onFailure: stopEverything) {
                defer { box.value.close() }
                try box.value.run()
                results.setWorker("\(box.value.stageName)-\(box.value.partition)", box.value.counters)
            })
        }
        for thread in threads { thread.start() }
        gatewayThread?.start()

        var sourceOptions = options.source
        sourceOptions.statsInterval = options.statsInterval
        let source = try PipelineSource(spec: spec, wiring: wiring, context: context, options: sourceOptions)
        var sourceError: (any Error)?
        do {
            if let endpoint = options.inputEndpoint {
                try source.run(endpoint: endpoint, context: context)
            } else {
                try source.run(descriptor: descriptor)
            }
        } catch {
            sourceError = error
        }
        var summary = RunSummary()
        summary.source = source.counters
        source.close()
        if sourceError != nil && !(sourceError is StrictRejectionError) {
            // The stream did not end cleanly: stop the other stages instead of waiting for them.
            context.shutdown()
        }
        for thread in threads { thread.join() }
        gatewayStop.raise()
        gatewayThread?.join()
        // The first stage that failed is the cause; the source's error is then only a consequence.
        if let failure = results.failure { throw failure }
        if let sourceError { throw sourceError }
        summary.workers = results.workers
        summary.publisher = results.publisher
        summary.elapsedSeconds = Double(monotonicNanoseconds() &- started) / 1e9
        return summary
    }
}

/// Counters handed back from stage threads.
final class StageResults: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var workers: [String: WorkerCounters] = [:]
    private(set) var publisher = PublisherCounters()
    /// The first stage failure (later ones are usually its consequence).
    private(set) var failure: (any Error)?
    func setFailure(_ error: any Error) { lock.withLock { if failure == nil { failure = error } } }
    func setWorker(_ name: String, _ counters: WorkerCounters) { lock.withLock { workers[name] = counters } }
    func setPublisher(_ counters: PublisherCounters) { lock.withLock { publisher = counters } }
}

/// Moves a single-thread object to the one thread that will use it.
final class UncheckedBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

/// A named thread running one stage, joinable, keeping the error that ended it.
final class StageThread: @unchecked Sendable {
    let name: String
    private let body: @Sendable () throws -> Void
    private let onFailure: @Sendable (any Error) -> Void
    private let done = DispatchSemaphore(value: 0)
    private(set) var failure: (any Error)?
    private var thread: Thread?

    init(name: String, onFailure: @escaping @Sendable (any Error) -> Void = { _ in }, body: @escaping @Sendable () throws -> Void) {
        self.name = name
        self.onFailure = onFailure
        self.body = body
    }

    func start() {
        let thread = Thread { [self] in
            do {
                try body()
            } catch {
                let failure = RuntimeError("stage \(name): \(error)")
                self.failure = failure
                onFailure(failure)
            }
            done.signal()
        }
        thread.name = name
        thread.stackSize = 8 << 20
        self.thread = thread
        thread.start()
    }

    func join() { done.wait() }
}

import GeoCore
import Operators
import Runtime
import TestSupport
import Wire
import XCTest

/// Runs a stream through nearby workers the way the runtime does, without sockets: the real
/// `EventRouter` decides owners, halo copies and previous recipients; batches per worker are
/// kept apart by kind (owned / halo) and flushed like `PipelineSource` flushes them; workers see
/// watermarks; the publisher's single operator instance gets every release (results with `t`
/// below the watermark) as one shuffled batch.
struct NearbyHarness {
    var spec: NearbySpec
    var workers: Int
    var bbox: Rect
    var window: WindowSpec
    /// Events used to build the partition map (the source's sample).
    var sampleCount = 64

    struct Run {
        /// Non-late events in input order (what the reference gets).
        var accepted: [PointEvent]
        var published: [NearbyReference.Alert]
        var copiesSent: Int
    }

    var pipeline: PipelineSpec {
        PipelineSpec(name: "nearby-test", bbox: bbox, window: window,
                     stages: [StageSpec(name: "near", partition: PartitionSpec(by: .space, workers: workers, halo: spec.distance),
                                        operatorSpec: .nearby(spec))])
    }

    func run(_ events: [PointEvent], seed: UInt64, file: StaticString = #filePath, line: UInt = #line) -> Run {
        var generator = SeededGenerator(seed: seed)
        let router = EventRouter(spec: pipeline)
        if router.needsSample { router.buildMaps(sample: events.prefix(sampleCount).map(\.point)) }
        let clock = WindowClock(size: window.size, slide: window.slide)
        var operators = (0..<workers).map { _ in NearbyOperator(spec: spec, clock: clock) }
        var publisherOperator = NearbyOperator(spec: spec, clock: clock)
        var pendingOwned = Array(repeating: [PointEvent](), count: workers)
        var pendingHalo = Array(repeating: [PointEvent](), count: workers)
        var workerWatermark = Array(repeating: Int64.min, count: workers)
        var held: [OperatorOutput] = []
        var run = Run(accepted: [], published: [], copiesSent: 0)
        var maxT = Int64.min, watermark = Int64.min
        let batchSize = Int(generator.next() % 6) + 1

        func flush(_ worker: Int) {
            var results: [OperatorOutput] = []
            let clock = WindowClock(size: window.size, slide: window.slide, watermark: workerWatermark[worker])
            if !pendingOwned[worker].isEmpty { operators[worker].apply(points: pendingOwned[worker], halo: false, clock: clock, into: &results) }
            if !pendingHalo[worker].isEmpty { operators[worker].apply(points: pendingHalo[worker], halo: true, clock: clock, into: &results) }
            XCTAssertTrue(results.isEmpty, "apply produces nothing: events wait for the watermark", file: file, line: line)
            pendingOwned[worker].removeAll()
            pendingHalo[worker].removeAll()
        }

        func collect(_ results: [OperatorOutput], worker: Int, previous: Int64) {
            for result in results {
                // The release rule: nothing below the watermark the worker had already passed on.
                XCTAssertGreaterThanOrEqual(result.t, previous, "worker \(worker) result behind its watermark", file: file, line: line)
            }
            held += results
        }

        func release(below limit: Int64) {
            var due = held.filter { $0.t < limit || limit == .max }
            held.removeAll { $0.t < limit || limit == .max }
            guard !due.isEmpty else { return }
            due.shuffle(using: &generator)
            for alert in publisherOperator.combine(due) { run.published.append(NearbyReference.Alert(t: alert.t, json: alert.json)) }
        }

        func advanceAll() {
            for worker in 0..<workers { flush(worker) }
            for worker in 0..<workers where workerWatermark[worker] != watermark {
                var results: [OperatorOutput] = []
                let previous = workerWatermark[worker]
                workerWatermark[worker] = watermark
                operators[worker].advance(clock: WindowClock(size: window.size, slide: window.slide, watermark: watermark), into: &results)
                collect(results, worker: worker, previous: previous)
            }
            release(below: watermark)
        }

        var deliveries: [PointDelivery] = [], resends: [PointResend] = [], flushFirst: [Int] = []
        for event in events {
            if event.t < watermark { continue }  // late: the source rejects it
            run.accepted.append(event)
            if event.t > maxT {
                maxT = event.t
                watermark = max(watermark, event.t - window.lateness)
            }
            deliveries.removeAll()
            resends.removeAll()
            flushFirst.removeAll()
            router.nearbyDeliveries(for: event, watermark: watermark, into: &deliveries, resends: &resends, flushFirst: &flushFirst)
            for worker in flushFirst { flush(worker) }
            for delivery in deliveries {
                if delivery.halo { pendingHalo[delivery.worker].append(event) } else { pendingOwned[delivery.worker].append(event) }
                if pendingOwned[delivery.worker].count + pendingHalo[delivery.worker].count >= batchSize { flush(delivery.worker) }
            }
            for resend in resends {
                pendingHalo[resend.worker].append(resend.event)
                if pendingHalo[resend.worker].count >= batchSize { flush(resend.worker) }
            }
            run.copiesSent += deliveries.count + resends.count
            if generator.next() % 7 == 0 { advanceAll() }
        }
        advanceAll()
        for worker in 0..<workers {
            var results: [OperatorOutput] = []
            operators[worker].finish(clock: WindowClock(size: window.size, slide: window.slide, watermark: .max), into: &results)
            collect(results, worker: worker, previous: workerWatermark[worker])
        }
        release(below: .max)
        return run
    }
}

public import GeoCore
public import Operators
public import Wire

/// A pipeline file, loaded and validated (`PipelineLoader`): what to read, the window, the stages
/// and where results go. Every duration is in ms and every distance in metres here; the file's
/// `500ms` / `2km` spellings are the loader's business.
public struct PipelineSpec: Hashable, Sendable {
    public var name: String
    public var input: InputSpec
    /// The area by-space partitioning cuts into slots; events outside it go to an overflow slot.
    /// Defaults to the whole world.
    public var bbox: Rect
    public var window: WindowSpec
    public var stages: [StageSpec]
    public var checkpoint: CheckpointSpec?
    public var output: OutputSpec
    /// Live queries (`geostream query`); nil: the pipeline answers none.
    public var query: QuerySpec?
    /// Directory of the pipeline file (absolute when loaded from a file): relative paths in the
    /// file are resolved against it, the checkpoint dir by the loader, others (fence files) with
    /// `resolvedPath(_:)`. Empty for a spec built in code.
    public var baseDirectory: String

    public init(
        name: String,
        input: InputSpec = InputSpec(),
        bbox: Rect = PipelineSpec.world,
        window: WindowSpec,
        stages: [StageSpec],
        checkpoint: CheckpointSpec? = nil,
        output: OutputSpec = OutputSpec(),
        query: QuerySpec? = nil,
        baseDirectory: String = ""
    ) {
        self.name = name
        self.input = input
        self.bbox = bbox
        self.window = window
        self.stages = stages
        self.checkpoint = checkpoint
        self.output = output
        self.query = query
        self.baseDirectory = baseDirectory
    }

    public static let world = Rect(minX: -180, minY: -90, maxX: 180, maxY: 90)
}

/// `input:` — how the source parses what it reads.
public struct InputSpec: Hashable, Sendable {
    /// nil: detected from the first bytes.
    public var format: InputFormat?
    /// CSV column mapping (`columns: {id: vehicle, t: ts}`).
    public var columns: [CSVField: String]
    /// A PULL endpoint external producers push frames to (`geostream ingest --connect`); nil when
    /// the pipeline reads only stdin or a file.
    public var endpoint: String?
    /// Stop at the first rejected record (exit 65) instead of publishing it on `rejected`.
    public var strict: Bool

    public init(format: InputFormat? = nil, columns: [CSVField: String] = [:], endpoint: String? = nil, strict: Bool = false) {
        self.format = format
        self.columns = columns
        self.endpoint = endpoint
        self.strict = strict
    }
}

/// `window:` — event-time window of every stage (ARCHITECTURE §3).
public struct WindowSpec: Hashable, Sendable {
    public var size: Int64
    public var slide: Int64
    /// How far behind the max event time an event may arrive before it is late.
    public var lateness: Int64

    public init(size: Int64, slide: Int64, lateness: Int64 = 0) {
        self.size = size
        self.slide = slide
        self.lateness = lateness
    }
}

/// One `stages:` entry.
public struct StageSpec: Hashable, Sendable {
    public var name: String
    public var partition: PartitionSpec
    public var operatorSpec: OperatorSpec
    /// Where each worker's PULL socket binds in multi-process / multi-host mode, one per worker.
    /// nil: `Wiring` assigns loopback ports.
    public var endpoints: [String]?

    public init(name: String, partition: PartitionSpec, operatorSpec: OperatorSpec, endpoints: [String]? = nil) {
        self.name = name
        self.partition = partition
        self.operatorSpec = operatorSpec
        self.endpoints = endpoints
    }
}

/// `partition:` — how a stage's input is spread over its workers (ARCHITECTURE §5).
public struct PartitionSpec: Hashable, Sendable {
    public enum By: String, Hashable, Sendable, CaseIterable {
        case space
        case id
    }

    public var by: By
    public var workers: Int
    /// by-space only: events within this many metres of another worker's slots are also sent there
    /// as halo copies. 0 for operators that need no neighbourhood (heatmap).
    public var halo: Double

    public init(by: By, workers: Int, halo: Double = 0) {
        self.by = by
        self.workers = workers
        self.halo = halo
    }
}

/// The operator of a stage and its parameters, typed per operator.
public enum OperatorSpec: Hashable, Sendable {
    case heatmap(HeatmapSpec)
    case rangeAlert(RangeAlertSpec)
    case nearby(NearbySpec)

    /// The name the pipeline file uses (`operator: heatmap`).
    public var name: String {
        switch self {
        case .heatmap: "heatmap"
        case .rangeAlert: "range-alert"
        case .nearby: "nearby"
        }
    }
}

/// `checkpoint:` (used from the checkpoint issue on; parsed and validated now).
public struct CheckpointSpec: Hashable, Sendable {
    public enum Every: Hashable, Sendable {
        case events(Int)
        case eventTime(Int64)
    }

    /// As the file wrote it, joined to the pipeline file's directory when relative.
    public var directory: String
    public var every: Every
    public var keep: Int

    public init(directory: String, every: Every, keep: Int = 3) {
        self.directory = directory
        self.every = every
        self.keep = keep
    }
}

/// `output:` — where results are published.
public struct OutputSpec: Hashable, Sendable {
    public static let defaultEndpoint = "tcp://127.0.0.1:5560"

    /// The publisher's XPUB endpoint subscribers connect to.
    public var endpoint: String
    /// The publisher's PULL endpoint workers push results to in multi-process mode; nil: `Wiring`
    /// assigns one.
    public var collect: String?

    public init(endpoint: String = OutputSpec.defaultEndpoint, collect: String? = nil) {
        self.endpoint = endpoint
        self.collect = collect
    }
}

/// `query:` — live queries (ARCHITECTURE §7): clients send a request to `endpoint`; the publisher's
/// process scatters it to every worker of the query stage and gathers their answers, each taken
/// from that worker's current window.
public struct QuerySpec: Hashable, Sendable {
    public static let defaultEndpoint = "tcp://127.0.0.1:5561"

    /// The ROUTER endpoint clients (`geostream query --connect`) send requests to.
    public var endpoint: String
    /// Where workers connect to receive requests (multi-process / multi-host mode); nil: `Wiring`
    /// assigns one.
    public var collect: String?
    /// The stage whose workers keep a window index and answer; nil: the first stage.
    public var stage: String?

    public init(endpoint: String = QuerySpec.defaultEndpoint, collect: String? = nil, stage: String? = nil) {
        self.endpoint = endpoint
        self.collect = collect
        self.stage = stage
    }
}

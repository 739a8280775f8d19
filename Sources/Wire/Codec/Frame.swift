/// What a frame means to the stage receiving it: a batch of events, or a control marker that
/// travels in order with the data.
public enum FrameKind: UInt8, Hashable, Sendable, CaseIterable {
    case data = 1
    /// Checkpoint barrier; `epoch` is the barrier (checkpoint) number.
    case barrier = 2
    /// Event-time progress; `epoch` holds the watermark in epoch ms, zigzag-encoded (see `Frame.watermark`).
    case watermark = 3
    /// End of stream: the sender will send nothing more on this partition.
    case end = 4
}

/// The event type a frame's payload holds (header byte 7).
public enum FramePayloadType: UInt8, Hashable, Sendable, CaseIterable {
    case none = 0
    case points = 1
    case polygons = 2
    case results = 3
}

/// One published result as it travels from a worker to the publisher: its topic, event time and
/// JSON object text (already rendered, so the publisher does not re-encode it).
public struct ResultRecord: Hashable, Sendable {
    public var topic: String
    public var t: Int64
    public var json: String

    public init(topic: String, t: Int64, json: String) {
        self.topic = topic
        self.t = t
        self.json = json
    }
}

/// The records of one frame. A control frame (barrier, watermark, end) always carries `.none`.
public enum FramePayload: Hashable, Sendable {
    case none
    case points([PointEvent])
    case polygons([PolygonEvent])
    case results([ResultRecord])

    public var type: FramePayloadType {
        switch self {
        case .none: .none
        case .points: .points
        case .polygons: .polygons
        case .results: .results
        }
    }

    public var count: Int {
        switch self {
        case .none: 0
        case let .points(events): events.count
        case let .polygons(events): events.count
        case let .results(records): records.count
        }
    }
}

/// One ZeroMQ message between stages: a batch of records or a control marker, for one partition.
public struct Frame: Hashable, Sendable {
    public var kind: FrameKind
    public var partition: UInt32
    /// Data and barrier frames: the checkpoint epoch (barrier number). Watermark frames: the
    /// watermark in epoch ms, zigzag-encoded (`(ms << 1) ^ (ms >> 63)`); read it with `watermark`.
    public var epoch: UInt64
    public var payload: FramePayload
    /// Data frames only: the events are halo copies, sent to a partition that does not own them so
    /// its neighbourhood queries near the border are complete (flags bit 1).
    public var halo: Bool

    public init(kind: FrameKind, partition: UInt32, epoch: UInt64, payload: FramePayload = .none, halo: Bool = false) {
        self.kind = kind
        self.partition = partition
        self.epoch = epoch
        self.payload = payload
        self.halo = halo
    }

    public static func data(_ payload: FramePayload, partition: UInt32, epoch: UInt64, halo: Bool = false) -> Frame {
        Frame(kind: .data, partition: partition, epoch: epoch, payload: payload, halo: halo)
    }

    public static func barrier(_ number: UInt64, partition: UInt32) -> Frame {
        Frame(kind: .barrier, partition: partition, epoch: number)
    }

    /// A watermark at `eventTime` epoch ms; negative times (before 1970) are allowed.
    public static func watermark(_ eventTime: Int64, partition: UInt32) -> Frame {
        Frame(kind: .watermark, partition: partition, epoch: Zigzag.encode(eventTime))
    }

    public static func end(partition: UInt32, epoch: UInt64 = 0) -> Frame {
        Frame(kind: .end, partition: partition, epoch: epoch)
    }

    /// The watermark in epoch ms for a `.watermark` frame; nil for any other kind.
    public var watermark: Int64? {
        kind == .watermark ? Zigzag.decode(epoch) : nil
    }
}

/// The fixed 36-byte header of a frame, as read from the wire (see docs/wire-format.md).
public struct FrameHeader: Hashable, Sendable {
    /// Header bytes, the CRC32C at offset 32 included; the payload starts here.
    public static let size = 36
    public static let magic: [UInt8] = [0x47, 0x53, 0x42, 0x31]  // "GSB1"
    public static let currentVersion: UInt8 = 1
    /// Flags bit 0: the payload is one LZ4 block whose decompressed size is `rawLength`.
    public static let lz4Flag: UInt8 = 1
    /// Flags bit 1: a data frame of halo copies (`Frame.halo`).
    public static let haloFlag: UInt8 = 2

    public var version: UInt8
    public var compressed: Bool
    public var kind: FrameKind
    public var payloadType: FramePayloadType
    public var partition: UInt32
    public var epoch: UInt64
    public var count: UInt32
    /// Payload bytes before compression (equal to `payloadLength` when not compressed).
    public var rawLength: UInt32
    /// Payload bytes that follow the header on the wire.
    public var payloadLength: UInt32
    /// CRC32C over header bytes 0..<32, then the payload as sent.
    public var checksum: UInt32
    public var halo: Bool = false
}

/// Upper bounds the decoder enforces before allocating, so a hostile or corrupt frame costs at
/// most these amounts of memory.
public struct FrameLimits: Hashable, Sendable {
    /// Bytes after the header (compressed size for an LZ4 frame).
    public var maxPayloadBytes: Int
    /// Decompressed payload bytes.
    public var maxRawBytes: Int
    /// Records in one frame (the header's count).
    public var maxRecords: Int
    /// One id, topic, props key or value, or result JSON text.
    public var maxStringBytes: Int
    /// Coordinates (positions) in all geometries of one frame.
    public var maxVertices: Int
    /// Arrays and objects nested inside one props object.
    public var maxNesting: Int

    public init(
        maxPayloadBytes: Int = 64 << 20,
        maxRawBytes: Int = 256 << 20,
        maxRecords: Int = 1_000_000,
        maxStringBytes: Int = 16 << 20,
        maxVertices: Int = 16_000_000,
        maxNesting: Int = 64
    ) {
        self.maxPayloadBytes = maxPayloadBytes
        self.maxRawBytes = maxRawBytes
        self.maxRecords = maxRecords
        self.maxStringBytes = maxStringBytes
        self.maxVertices = maxVertices
        self.maxNesting = maxNesting
    }
}

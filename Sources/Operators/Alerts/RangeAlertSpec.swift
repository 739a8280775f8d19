public import GeoCore
public import Wire

/// The area of a geofence, as a pipeline file, a GeoJSON fence file or a fence-role event gives it.
public enum FenceShape: Hashable, Sendable {
    case rect(Rect)
    /// Centre and radius in metres (haversine distance; the boundary counts as inside).
    case circle(center: Point, radiusMetres: Double)
    case polygon(Polygon)
    case multiPolygon(MultiPolygon)

    public var bounds: Rect {
        switch self {
        case let .rect(rect): rect
        case let .circle(center, radius): Geodesy.boundingRect(around: center, radius: radius)
        case let .polygon(polygon): polygon.bounds
        case let .multiPolygon(multi): multi.bounds
        }
    }
}

/// A static geofence: loaded once, before the stream starts.
public struct FenceDefinition: Hashable, Sendable {
    public var id: String
    public var shape: FenceShape
    public var props: JSONObject

    public init(id: String, shape: FenceShape, props: JSONObject = JSONObject()) {
        self.id = id
        self.shape = shape
        self.props = props
    }
}

/// What a range-alert stage reports (ARCHITECTURE §7; Tile38's detect kinds).
public enum AlertKind: String, Hashable, Sendable, CaseIterable, Comparable {
    /// The object is inside the fence now and was not at its previous position (or is seen for the first time).
    case enter
    /// The object was inside at its previous position and is not now (or was forgotten, or the fence removed).
    case exit
    /// Every position inside the fence.
    case inside
    /// Every position outside the fence (one result per fence the object is outside of: use with few fences).
    case outside
    /// The segment between two consecutive positions crosses the fence while neither position is inside.
    case cross

    public static func < (left: AlertKind, right: AlertKind) -> Bool {
        allCases.firstIndex(of: left)! < allCases.firstIndex(of: right)!
    }
}

/// `where: {type: truck}`: an object takes part only when every listed property equals the value.
/// An empty filter matches every object.
public struct PropertyFilter: Hashable, Sendable {
    public var required: [JSONMember]

    public init(_ required: [JSONMember] = []) {
        self.required = required
    }

    public var isEmpty: Bool { required.isEmpty }

    public func matches(_ props: JSONObject) -> Bool {
        for member in required where props[member.key] != member.value { return false }
        return true
    }
}

/// Parameters of a `range-alert` stage, with every fence file already read.
public struct RangeAlertSpec: Hashable, Sendable {
    public var fences: [FenceDefinition]
    public var detect: Set<AlertKind>
    /// ms without a position after which an object is forgotten (with an `exit` from every fence it
    /// was inside); nil: the window size.
    public var forgetAfter: Int64?
    public var filter: PropertyFilter

    public init(fences: [FenceDefinition], detect: Set<AlertKind> = [.enter, .exit], forgetAfter: Int64? = nil, filter: PropertyFilter = PropertyFilter()) {
        self.fences = fences
        self.detect = detect
        self.forgetAfter = forgetAfter
        self.filter = filter
    }
}

/// Parameters of a `nearby` stage (roaming fences: objects near each other).
public struct NearbySpec: Hashable, Sendable {
    /// Metres: two objects whose latest positions are at most this far apart are near.
    public var distance: Double
    public var filter: PropertyFilter
    /// ms without a position after which an object is forgotten (its pairs become `faraway`); nil: the window size.
    public var forgetAfter: Int64?

    public init(distance: Double, filter: PropertyFilter = PropertyFilter(), forgetAfter: Int64? = nil) {
        self.distance = distance
        self.filter = filter
        self.forgetAfter = forgetAfter
    }
}

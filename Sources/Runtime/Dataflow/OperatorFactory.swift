public import Operators

/// Builds the operator a stage's spec names. The one place that knows every operator type, so the
/// rest of the runtime handles `any StreamOperator` and never geometry.
public enum OperatorFactory {
    public static func make(_ stage: StageSpec, pipeline: PipelineSpec) -> any StreamOperator {
        let clock = WindowClock(size: pipeline.window.size, slide: pipeline.window.slide)
        switch stage.operatorSpec {
        case let .heatmap(heatmap):
            return HeatmapOperator(spec: heatmap, bbox: pipeline.bbox, clock: clock)
        case let .rangeAlert(alert):
            return RangeAlertOperator(spec: alert, clock: clock)
        case let .nearby(nearby):
            return NearbyOperator(spec: nearby, clock: clock)
        }
    }
}

/// The readings `/metrics` takes at each scrape from the running arena: state that is cheaper
/// read once per scrape than tracked at every change.
extension ArenaRuntime {
    func reportGaugesAtEachScrape() {
        let metrics = configuration.metrics
        // Weak: the metrics outlive no arena, and must not keep one alive.
        metrics.addCollector { [weak self] metrics in
            guard let self else { return }
            metrics.gauge(ArenaMetrics.Name.feedClients, Double(bus.subscriberCount))
            metrics.gauge(ArenaMetrics.Name.feedLag, Double(bus.largestSubscriberLag))
            metrics.gauge(ArenaMetrics.Name.feedSeq, Double(bus.lastSeq))
            if let liveVenue {
                metrics.gauge(ArenaMetrics.Name.venueBudget, liveVenue.limiter.available)
            }
        }
    }
}

package io.homelab.alerts.processor;

/** Every DedupTopologyTest again, with events going straight on from explode (a raw topic of one partition). */
class DedupTopologyDirectTest extends DedupTopologyTest {
    @Override
    AlertTopology.Layout layout() {
        return AlertTopology.Layout.DIRECT;
    }
}

"""What rules read: nodes with positions, objects, Service and pod source views, the Cluster."""

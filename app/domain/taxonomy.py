"""Names of the domains and exception types, as trainees read them (ids live in content files)."""

DOMAIN_NAMES = {
    "D1": "Demand and promising",
    "D2": "Order capture and validation",
    "D3": "Fulfillment execution",
    "D4": "B2B documents and compliance",
    "D5": "Returns and reverse logistics",
    "D6": "Order-to-cash",
    "D7": "Metrics and improvement",
    "D8": "Relationships and risk",
    "D9": "Professional skills",
}

EXCEPTION_NAMES = {
    "credit-hold": "Credit hold",
    "payment-fraud-hold": "Payment / fraud hold",
    "address-tax-validation": "Address / tax validation",
    "pricing-contract-mismatch": "Pricing / contract mismatch",
    "backorder-allocation": "Backorder / allocation",
    "atp-ctp-promise": "ATP / CTP promise",
    "split-partial-shipment": "Split / partial shipment",
    "edi-mismatch": "EDI mismatch",
    "retailer-chargeback": "Retailer chargeback",
    "duplicate-order": "Duplicate order",
    "expedite": "Expedite",
    "change-after-release": "Change after release",
    "returns-rma": "Returns / RMA",
    "drop-ship": "Drop-ship",
    "quality-hold-recall": "Quality hold / recall",
    "trade-compliance-hold": "Trade compliance hold",
    "lost-freight-claim": "Lost freight / carrier claim",
    "mto-cancellation": "Made-to-order cancellation",
    "executive-escalation": "Executive escalation",
}

DIMENSION_NAMES = {
    "accuracy": "Accuracy",
    "resolution_time": "Resolution time",
    "customer_recovery": "Customer recovery",
    "coordination": "Coordination",
    "compliance": "Compliance and cost",
}

# The readiness dimensions (content/policy/promotion.yaml) that scenario runs feed, for the trainer's heatmap.
SCENARIO_READINESS_DIMENSIONS = {
    "exception_judgement": "Exception judgement",
    "coordination": "Coordination",
    "customer_recovery": "Customer recovery",
}

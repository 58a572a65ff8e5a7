run ../../../examples/ai_compute_web.deal --scenario late_buyer_quality_tax --format table --analyses none

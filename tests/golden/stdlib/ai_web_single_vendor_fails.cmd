run ../../../examples/ai_compute_web.deal --scenario single_vendor_fails --format table --analyses none

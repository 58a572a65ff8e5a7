compare ../../../examples/ai_compute_web.deal openai_pays openai_cannot_pay -f table

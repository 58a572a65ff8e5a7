sensitivity ../../../examples/ai_compute_web.deal -s openai_cannot_pay --threshold SoftBank --params softbank_cash0,resale_claim_share --metric default:SoftBank -f table

sensitivity ../../../examples/ai_compute_web.deal -s openai_cannot_pay --threshold Cerebras --params build_buffer,cloud_price,funding_open,build_cost --metric default:Cerebras,equity:Oracle -f table

scheduler_role = "arn:aws:iam::123456789012:role/scheduler"

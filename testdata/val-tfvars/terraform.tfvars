execution_role_arn = "arn:aws:iam::123456789012:role/ecs/exec"

# A function module only for the teams that run on Lambda: each call instance hands the module its
# team's role, and every such role trusts Lambda (the Glue team's role is not passed to Lambda). The
# `each.key` of the function inside the module ("live", "canary") is not the key of the call.
locals {
  teams          = { orders = "lambda", reports = "glue" }
  function_teams = toset(["orders"])
}

resource "aws_iam_role" "team" {
  for_each = local.teams

  name = "team-${each.key}"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "${each.value}.amazonaws.com" }
    }]
  })
}

module "function" {
  source   = "./modules/function"
  for_each = local.function_teams

  role_arn = aws_iam_role.team[each.key].arn
}

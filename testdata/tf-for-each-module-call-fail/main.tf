# A function module per team, each call instance handing the module its team's role. The reports
# team's role trusts Glue, so module.function["reports"] gives Lambda a role it cannot assume.
locals {
  teams = { orders = "lambda", reports = "glue" }
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
  for_each = local.teams

  role_arn = aws_iam_role.team[each.key].arn
}

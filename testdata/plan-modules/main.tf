# Roles handed across module boundaries, which only the plan can follow: `module.fn` receives the
# role's ARN as a variable, and the root reads `module.roles.role_arn`, an output.
resource "aws_iam_role" "worker" {
  name = "worker"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "ec2.amazonaws.com" }
    }]
  })
}

module "fn" {
  source   = "./modules/fn"
  role_arn = aws_iam_role.worker.arn
}

module "roles" {
  source = "./modules/roles"
}

resource "aws_lambda_function" "root" {
  function_name = "root"
  role          = module.roles.role_arn
  handler       = "index.handler"
  runtime       = "python3.12"
  filename      = "root.zip"
}

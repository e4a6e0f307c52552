# The same pass in Terraform: a role trusting the newer service principal is fine, one trusting
# EC2 is not.
resource "aws_iam_role" "dashboards" {
  name = "dashboards-cognito"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "opensearchservice.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_iam_role" "host" {
  name = "search-host"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "ec2.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_opensearch_domain" "search" {
  domain_name = "search"
  cognito_options {
    enabled          = true
    identity_pool_id = "us-east-1:11111111-2222-3333-4444-555555555555"
    user_pool_id     = "us-east-1_example"
    role_arn         = aws_iam_role.dashboards.arn
  }
}

resource "aws_elasticsearch_domain" "legacy" {
  domain_name = "legacy"
  cognito_options {
    enabled          = true
    identity_pool_id = "us-east-1:11111111-2222-3333-4444-555555555555"
    user_pool_id     = "us-east-1_example"
    role_arn         = aws_iam_role.host.arn
  }
}
